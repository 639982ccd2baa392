// Event bodies (PROTOCOL.md §6): exactly the type's fields, credit codes with their check character,
// DOMAIN.md's vocabulary, integers in range; refusals are schema_violation with details.field.
#include <functional>

#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsSchema;
using fx::Ledger;

// A 2023 ledger with: a Guangdong product enterprise `gd` submitted, a street `rec` recommended, a
// 2017 title `titled`, an applicant actor app-fresh for the not yet submitted unit `fresh`.
struct World {
  Ledger l;
  std::string gd, rec, titled;
  UnitDescriptor fresh;
  World() {
    l.Open2023WithBatches();
    gd = l.AddUnit("2023", "440000", "enterprise", "product");
    rec = l.AddRecommended("2023", "440000", "street");
    for (const char* e : {"s1", "s2", "s3"}) EXPECT_OK(l.Score("2023", rec, 80, e));  // scoring.scores_required before publication
    titled = l.Titled("2017", "440000");
    EXPECT_OK(l.Assess("2017", titled, false));  // what a revocation for assessment_failed needs
    l.Expert("expert1");
    fresh = l.NewUnit("440000", "enterprise", "product");
    EXPECT_OK(l.Register("app-fresh", "applicant", {{"unit", fresh.id}}));
  }
  // A valid body of `type` and who signs it.
  std::pair<Json, std::vector<std::string>> Base(const std::string& type) {
    const std::vector<std::string> ministries = Ledger::Ministries();
    if (type == "submission.filed") {
      return {l.Documented("submission.filed", {{"campaign", "2023"}, {"unit", UnitDescriptorJson(fresh)},
                                                {"metrics", fx::PassingMetrics("enterprise", "product")},
                                                {"scenarios", Json::array({"family_health", "internet_medical"})}}),
              {"app-fresh"}};
    }
    if (type == "recommendation.issued") {
      return {l.Checked(l.Documented("recommendation.issued", {{"campaign", "2023"}, {"unit_id", gd}})), l.Departments("440000")};
    }
    if (type == "score.recorded") return {{{"campaign", "2023"}, {"unit_id", rec}, {"score", 90}}, {"expert1"}};
    if (type == "spotcheck.recorded") return {{{"campaign", "2023"}, {"unit_id", rec}, {"passed", true}}, {"miit"}};
    if (type == "publication.issued") {
      return {{{"campaign", "2023"}, {"units", Json::array({rec})}, {"objection_deadline", "2023-10-20T00:00:00+08:00"}}, ministries};
    }
    if (type == "title.revoked") return {{{"campaign", "2017"}, {"unit_id", titled}, {"reason", "assessment_failed"}}, ministries};
    if (type == "quota.exception") {
      return {{{"campaign", "2023"}, {"authority", "440000"}, {"category", "enterprise"}, {"extra", 1}, {"reason", "r"}}, ministries};
    }
    if (type == "actor.registered") {
      return {{{"actor", "new1"}, {"role", "expert"}, {"name", "N"}, {"public_key", l.Key("new1").public_key().ToBase64()}}, {"miit"}};
    }
    ADD_FAILURE() << type;
    return {};
  }
};

struct Case {
  std::string name;
  std::string type;
  std::function<void(Json&)> mutate;
  std::string field;  // empty: accepted
  std::vector<std::string> message = {};
  std::vector<std::string> signers = {};  // instead of the base body's signers
};

void Set(Json& j, const std::string& path, Json v) { j[Json::json_pointer(path)] = std::move(v); }

const std::vector<Case>& Cases() {
  const auto set = [](std::string path, Json v) { return [path, v](Json& b) { Set(b, path, v); }; };
  const auto erase = [](std::string path, std::string key) { return [path, key](Json& b) { b[Json::json_pointer(path)].erase(key); }; };
  const auto none = [](Json&) {};
  static const std::vector<Case> cases = {
      // Each base body as it is, so that every refusal below is the mutation's.
      {"a valid submission", "submission.filed", none, ""},
      {"a valid recommendation with documents", "recommendation.issued",
       set("/documents", Json::array({Json{{"name", "推荐意见"}, {"sha256", std::string(64, 'a')}, {"bytes", 1024}},
                                      Json{{"name", "汇总表"}, {"sha256", std::string(64, 'b')}, {"bytes", 512}},
                                      Json{{"name", "现场调研照片.zip"}, {"sha256", std::string(64, 'c')}, {"bytes", 4096}}})), ""},
      {"a valid score of 100", "score.recorded", set("/score", 100), ""},
      {"a valid score of 0", "score.recorded", set("/score", 0), ""},
      {"a valid spot check", "spotcheck.recorded", none, ""},
      {"a valid publication", "publication.issued", none, ""},
      {"a valid revocation", "title.revoked", none, ""},
      {"a valid revocation for another reason with a note", "title.revoked",
       [](Json& b) { b["reason"] = "other"; b["note"] = "relocated abroad"; }, ""},
      {"a valid quota exception", "quota.exception", none, ""},
      {"a valid actor", "actor.registered", none, ""},
      // The unit descriptor.
      {"a 17-character credit code", "submission.filed", [](Json& b) { b["unit"]["id"] = b["unit"]["id"].get<std::string>().substr(1); },
       "unit.id", {}, {"p440000-miit"}},
      {"an unknown category", "submission.filed", [](Json& b) { b["unit"]["category"] = "hospital"; b["unit"].erase("subtype"); },
       "unit.category", {"unknown category hospital"}},
      {"an enterprise without subtype", "submission.filed", erase("/unit", "subtype"), "unit.subtype"},
      {"an unknown subtype", "submission.filed", set("/unit/subtype", "retail"), "unit.subtype",
       {"an enterprise's subtype is product, platform, institution or service"}},
      {"a street with a subtype", "submission.filed",
       [](Json& b) { b["unit"]["category"] = "street"; b["metrics"] = Json::object(); }, "unit.subtype", {"only enterprises have a subtype"}},
      {"a 5-digit region", "submission.filed", set("/unit/region", "44010"), "unit.region"},
      {"a 5-digit authority", "submission.filed", set("/unit/authority", "44000"), "unit.authority"},
      {"an authority the campaign does not know", "submission.filed", set("/unit/authority", "999999"), "unit.authority",
       {"campaign 2023 has no recommending authority 999999"}},
      {"an unregistered SOE group", "submission.filed", set("/unit/authority", "soe:ghost"), "unit.authority",
       {"soe:ghost is not a registered SOE group"}},
      {"a Shenzhen district under Guangdong", "submission.filed", set("/unit/region", "440305"), "unit.region",
       {"region 440305 of unit ", " is not under authority 440000"}},
      {"an XPCC city under Xinjiang", "submission.filed", [](Json& b) { b["unit"]["region"] = "659001"; b["unit"]["authority"] = "650000"; },
       "unit.region"},
      {"an unknown descriptor field", "submission.filed", set("/unit/website", "x"), "unit.website", {"unknown field \"unit.website\""}},
      // Metrics and scenarios.
      {"an unknown metric", "submission.filed", set("/metrics/profit", 1), "metrics.profit", {"no metric profit for a enterprise (product)"}},
      {"another subtype's metric", "submission.filed", set("/metrics/beds", 300), "metrics.beds"},
      {"an integer metric given as a string", "submission.filed", set("/metrics/revenue", "10000000"), "metrics.revenue",
       {"metrics.revenue must be an integer"}},
      {"an integer metric given as a boolean", "submission.filed", set("/metrics/ip_items", true), "metrics.ip_items"},
      {"a yes/no metric given as 0", "submission.filed", set("/metrics/violations_3y", 0), "metrics.violations_3y",
       {"metrics.violations_3y must be true or false"}},
      {"a negative metric", "submission.filed", set("/metrics/revenue", -1), "metrics.revenue", {"must not be negative"}},
      {"metrics as a list", "submission.filed", set("/metrics", Json::array()), "metrics"},
      {"an unknown scenario", "submission.filed", set("/scenarios/1", "karaoke"), "scenarios[1]", {"unknown scenario \"karaoke\""}},
      {"a scenario 2023 does not list", "submission.filed", set("/scenarios/0", "virtual_nursing_home"), "scenarios[0]",
       {"campaign 2023 has no scenario virtual_nursing_home"}},
      {"another scenario 2023 does not list", "submission.filed", set("/scenarios/1", "smart_elderly_restaurant"), "scenarios[1]"},
      {"a scenario listed twice", "submission.filed", set("/scenarios/1", "family_health"), "scenarios[1]", {"listed twice"}},
      {"no scenarios field", "submission.filed", erase("", "scenarios"), "scenarios"},
      // Other bodies.
      {"a score of 101", "score.recorded", set("/score", 101), "score", {"campaign 2023 scores 0-100 (scoring), got 101"}},
      {"a negative score", "score.recorded", set("/score", -1), "score", {"score must not be negative"}},
      {"a score of -1", "score.recorded", set("/score", -1), "score"},
      {"a score as a string", "score.recorded", set("/score", "90"), "score"},
      {"a spot check passed as a string", "spotcheck.recorded", set("/passed", "yes"), "passed"},
      {"an unknown field", "recommendation.issued", set("/foo", 1), "foo", {"unknown field \"foo\""}},
      {"no campaign", "recommendation.issued", erase("", "campaign"), "campaign"},
      {"a campaign id with a space", "recommendation.issued", set("/campaign", "20 23"), "campaign"},
      {"a document hash in upper case", "recommendation.issued",
       set("/documents", Json::array({Json{{"name", "a.pdf"}, {"sha256", std::string(64, 'A')}, {"bytes", 1}}})), "documents[0].sha256"},
      {"an objection deadline that is no RFC 3339 time", "publication.issued", set("/objection_deadline", "2023-10-20"), "objection_deadline"},
      {"a unit listed twice in a publication", "publication.issued", [](Json& b) { b["units"].push_back(b["units"][0]); }, "units[1]"},
      {"a revocation for another reason without a note", "title.revoked", set("/reason", "other"), "note",
       {"a revocation for reason other needs a note"}},
      {"an unknown revocation reason", "title.revoked", set("/reason", "bored"), "reason"},
      {"an exception of 0 places", "quota.exception", set("/extra", 0), "extra", {"extra places must be 1-1000"}},
      {"an exception of 1001 places", "quota.exception", set("/extra", 1001), "extra"},
      {"an exception for an unknown category", "quota.exception", set("/category", "hospital"), "category"},
      {"a small-order public key", "actor.registered", set("/public_key", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), "public_key"},
      {"a provincial actor without department", "actor.registered",
       [](Json& b) { b["role"] = "provincial"; b["region"] = "440000"; }, "department"},
      {"an expert with a region", "actor.registered", set("/region", "440000"), "region"},
      {"an applicant with a wrong credit code", "actor.registered",
       [](Json& b) { b["role"] = "applicant"; b["unit"] = fx::WithWrongCheck(fx::Uscc("440100", 7)); }, "unit", {"check character is"}},
  };
  return cases;
}

TEST(BodySchemaTest, EveryMalformedBodyNamesItsField) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    World w;
    auto [body, signers] = w.Base(c.type);
    c.mutate(body);
    const Status s = w.l.Append(c.type, body, c.signers.empty() ? signers : c.signers);
    if (c.field.empty()) {
      EXPECT_OK(s);
    } else {
      EXPECT_TRUE(IsSchema(s, c.field, c.message));
    }
  }
}

TEST(BodySchemaTest, AWrongCheckCharacterNamesTheExpectedOne) {
  World w;
  struct CodeCase {
    std::string type, field;
    std::string good;
  };
  for (const CodeCase& c : std::vector<CodeCase>{{"submission.filed", "unit.id", w.fresh.id},
                                                 {"recommendation.issued", "unit_id", w.gd},
                                                 {"score.recorded", "unit_id", w.rec},
                                                 {"publication.issued", "units[0]", w.rec},
                                                 {"title.revoked", "unit_id", w.titled}}) {
    SCOPED_TRACE(c.type);
    auto [body, signers] = w.Base(c.type);
    const std::string bad = fx::WithWrongCheck(c.good);
    if (c.type == "submission.filed") body["unit"]["id"] = bad;
    if (c.type == "publication.issued") body["units"] = Json::array({bad});
    if (body.contains("unit_id")) body["unit_id"] = bad;
    // The submission's own applicant is bound to the good code, so a department signs it.
    if (c.type == "submission.filed") signers = {"p440000-miit"};
    EXPECT_TRUE(IsSchema(w.l.Append(c.type, body, signers), c.field,
                         {"unit " + bad + ": check character is '" + bad.back() + "', expected '" + c.good.back() + "'"}));
  }
  EXPECT_EQ(UsccProblem("91440300192203821X"), "check character is 'X', expected '6'");
}

TEST(BodySchemaTest, EachCampaignAcceptsOnlyItsOwnScenarios) {
  struct ScenarioCase {
    std::string campaign, scenario;
    bool accepted;
  };
  for (const ScenarioCase& c : std::vector<ScenarioCase>{{"2021", "virtual_nursing_home", true},
                                                         {"2021", "smart_elderly_restaurant", true},
                                                         {"2021", "elderly_canteen", false},
                                                         {"2023", "elderly_canteen", true},
                                                         {"2023", "virtual_nursing_home", false}}) {
    SCOPED_TRACE(c.campaign + " " + c.scenario);
    Ledger l(fx::At(c.campaign == "2021" ? "2021-11-01T08:00:00Z" : "2023-10-15T08:00:00Z"));
    if (c.campaign == "2023") {
      l.Open2023WithBatches();
    } else {
      ASSERT_OK(l.Open(c.campaign));
    }
    const UnitDescriptor u = l.NewUnit("440000", "street");
    const Status s = l.Submit(c.campaign, u, fx::PassingMetrics("street", ""),
                              {"family_health", "internet_medical", c.scenario, "medical_elderly_integration"});
    if (c.accepted) {
      EXPECT_OK(s);
      EXPECT_OK(l.Recommend(c.campaign, u.id)) << "the scenario counts towards T-3a";
    } else {
      EXPECT_TRUE(IsSchema(s, "scenarios[2]", {"campaign " + c.campaign + " has no scenario " + c.scenario}));
    }
  }
}

}  // namespace
}  // namespace pilotledger::projections
