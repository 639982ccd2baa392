// Campaign rule files (config/campaigns/*.json, docs/rules.md) and the genesis signing policy: the
// input is one JSON document, read as a rule set and as a policy. Neither parser throws; refusals
// are schema_violation naming a field under "rules" / "policy"; a rule set they accept answers
// every question asked of it (eligibility of every category and subtype with no metrics and with
// the input's own "metrics", quotas of every kind) without throwing, and opens a campaign of its
// name as a campaign.opened body.
#include "fuzz/fuzz_util.h"
#include "projections/bodies.h"
#include "projections/policy.h"
#include "projections/rules.h"

namespace {

void CheckRefusal(const pilotledger::Status& s, const std::string& where) {
  using namespace pilotledger;
  fuzz::CheckError(s);
  FUZZ_CHECK(s.code() == Code::kSchemaViolation, s.ToString());
  const Json& d = s.details();
  FUZZ_CHECK(d.contains("field") && d["field"].is_string(), "no details.field: " + s.ToString());
  const std::string field = d["field"].get<std::string>();
  FUZZ_CHECK(field.rfind(where, 0) == 0, "details.field " + field + " is not under " + where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  using namespace pilotledger::projections;
  Result<Json> doc = ParseStrictJson(AsText(data, size));
  if (!doc.ok()) return 0;

  Result<CampaignRules> rules = Status(Code::kInternal, "not run");
  NoThrow("ParseRules", [&] { rules = ParseRules(*doc); });
  if (!rules.ok()) {
    CheckRefusal(rules.status(), "rules");
  } else {
    FUZZ_CHECK(IsValidId(rules->campaign), "a campaign id that is not an id: " + rules->campaign);
    const Json metrics = doc->is_object() && doc->contains("metrics") ? (*doc)["metrics"] : Json::object();
    NoThrow("Evaluate", [&] {
      std::vector<std::string> subtypes = rules->subtypes;
      subtypes.push_back("");
      for (const std::string& category : rules->categories) {
        for (const std::string& subtype : subtypes) {
          for (const Json& m : {Json(Json::object()), metrics}) {
            const Eligibility e = Evaluate(*rules, category, subtype, m, rules->scenarios);
            FUZZ_CHECK(e.eligible == e.failed.empty(), "eligible with failed criteria");
            const std::string out = WriteCanonical(EligibilityJson(e));
            FUZZ_CHECK(IsValidUtf8(out), "eligibility JSON that is not UTF-8");
          }
        }
        for (const auto& [code, kind] : rules->authority_kinds) {
          (void)rules->Quota(kind, category);
          FUZZ_CHECK(rules->AuthorityKind(code) == kind, "an authority's kind is not what the rules say");
        }
      }
    });
    const Json body = {{"campaign", rules->campaign}, {"rules", *doc}};
    Result<Body> opened = Status(Code::kInternal, "not run");
    NoThrow("ParseBody(campaign.opened)", [&] { opened = ParseBody(EventType::kCampaignOpened, body); });
    FUZZ_CHECK(opened.ok(), "rules that ParseRules accepts do not open their campaign: " + opened.status().ToString());
  }

  Result<Policy> policy = Status(Code::kInternal, "not run");
  NoThrow("ParsePolicy", [&] { policy = ParsePolicy(*doc); });
  if (!policy.ok()) CheckRefusal(policy.status(), "policy");
  return 0;
}
