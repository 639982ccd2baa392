// The signatures and the default signing policy (PROTOCOL.md §2, §5): who must sign what, for which
// region or SOE group, and the order of the checks (signatures, then policy, then body, then rules).
#include <functional>

#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsCode;
using fx::IsRule;
using fx::Ledger;

// The units every case starts from (2023 open, dates before the deadline).
struct Units {
  std::string gd;      // Guangdong (440000), submitted
  std::string gd_rec;  // Guangdong, recommended
  std::string sz;      // Shenzhen (440300), submitted
  std::string soe;     // a member of SOE group soe-a, submitted
  UnitDescriptor fresh;  // Guangdong, not yet submitted; its applicant actor is app-fresh
};

Units MakeUnits(Ledger& l) {
  l.Open2023WithBatches();
  Units u;
  u.gd = l.AddUnit("2023", "440000", "enterprise");
  u.gd_rec = l.AddRecommended("2023", "440000", "street");
  u.sz = l.AddUnit("2023", "440300", "enterprise");
  u.soe = l.AddUnit("2023", l.SoeGroup("soe-a"), "enterprise");
  l.SoeGroup("soe-b");
  l.Expert("expert1");
  u.fresh = l.NewUnit("440000", "park");
  EXPECT_OK(l.Register("app-fresh", "applicant", {{"unit", u.fresh.id}}));
  EXPECT_OK(l.Register("app-other", "applicant", {{"unit", u.gd}}));
  l.Departments("440300");
  return u;
}

enum class Tamper { kNone, kFlipFirst, kFlipLast };

struct Case {
  std::string name;
  std::string type;
  std::function<Json(const Units&)> body;
  std::vector<std::string> signers;
  Code code;  // kOk: accepted
  std::vector<std::string> message = {};
  Tamper tamper = Tamper::kNone;
  std::function<void(Ledger&)> before = nullptr;
};

const std::vector<std::string> kGd = {"p440000-miit", "p440000-civil", "p440000-health"};
const std::vector<std::string> kSz = {"p440300-miit", "p440300-civil", "p440300-health"};
const std::vector<std::string> kMinistries = {"miit", "mca", "nhc"};

// A document as the 2023 rules require them by name (a stand-in hash).
Json Doc(const std::string& name) { return {{"name", name}, {"sha256", std::string(64, 'f')}, {"bytes", 1}}; }
// A 2023 recommendation with the authority's checks and its 推荐意见 and 汇总表.
Json Rec(const std::string& id) {
  return {{"campaign", "2023"},
          {"unit_id", id},
          {"checks", {{{"method", "material_review"}, {"date", "2023-10-15"}, {"note", "材料审核"}},
                      {{"method", "site_visit"}, {"date", "2023-10-15"}, {"note", "现场调研"}}}},
          {"documents", {Doc("推荐意见"), Doc("汇总表")}}};
}
Json Sub(const UnitDescriptor& u) {
  return {{"campaign", "2023"}, {"unit", UnitDescriptorJson(u)}, {"metrics", fx::PassingMetrics(u.category, u.subtype)},
          {"scenarios", fx::PassingScenarios(u.category)}, {"documents", Json::array({Doc("申报材料")})}};
}
Json Open2021(const Units&) { return {{"campaign", "2021"}, {"rules", fx::CampaignRules("2021")}}; }

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"a recommendation without the region's health department", "recommendation.issued", [](const Units& u) { return Rec(u.gd); },
       {"p440000-miit", "p440000-civil"}, Code::kForbidden,
       {"recommendation.issued needs the signatures of provincial miit of authority 440000 + provincial civil of authority 440000 + "
        "provincial health of authority 440000; or soe_group of authority 440000",
        "signed by p440000-miit (provincial miit of 440000), p440000-civil (provincial civil of 440000)"}},
      {"a recommendation by the region's three departments", "recommendation.issued", [](const Units& u) { return Rec(u.gd); }, kGd,
       Code::kOk},
      {"Guangdong recommending a Shenzhen unit", "recommendation.issued", [](const Units& u) { return Rec(u.sz); }, kGd,
       Code::kForbidden, {"provincial miit of authority 440300"}},
      {"Shenzhen recommending a Guangdong unit", "recommendation.issued", [](const Units& u) { return Rec(u.gd); }, kSz,
       Code::kForbidden, {"provincial miit of authority 440000", "p440300-miit (provincial miit of 440300)"}},
      {"two departments of the region and one of another", "recommendation.issued", [](const Units& u) { return Rec(u.gd); },
       {"p440000-miit", "p440000-civil", "p440300-health"}, Code::kForbidden},
      {"extra valid signatures beyond those required", "recommendation.issued", [](const Units& u) { return Rec(u.gd); },
       {"p440000-miit", "p440000-civil", "p440000-health", "p440300-miit", "expert1"}, Code::kOk},
      {"SOE group soe-b recommending a member of soe-a", "recommendation.issued", [](const Units& u) { return Rec(u.soe); },
       {"soe-b"}, Code::kForbidden, {"soe_group of authority soe:soe-a", "signed by soe-b (soe_group of soe:soe-b)"}},
      {"a province recommending an SOE group's member", "recommendation.issued", [](const Units& u) { return Rec(u.soe); }, kGd,
       Code::kForbidden},
      {"SOE group soe-a recommending its member", "recommendation.issued", [](const Units& u) { return Rec(u.soe); }, {"soe-a"},
       Code::kOk},
      {"an expert opening a campaign", "campaign.opened", Open2021, {"expert1"}, Code::kForbidden,
       {"campaign.opened needs the signatures of ministry miit + ministry mca + ministry nhc; signed by expert1 (expert)"}},
      {"two ministries opening a campaign", "campaign.opened", Open2021, {"miit", "mca"}, Code::kForbidden},
      {"the three ministries opening a campaign", "campaign.opened", Open2021, kMinistries, Code::kOk},
      {"a provincial actor recording a score", "score.recorded",
       [](const Units& u) { return Json{{"campaign", "2023"}, {"unit_id", u.gd_rec}, {"score", 90}}; }, {"p440000-miit"},
       Code::kForbidden, {"score.recorded needs the signatures of expert; signed by p440000-miit"}},
      {"a ministry recording a score", "score.recorded",
       [](const Units& u) { return Json{{"campaign", "2023"}, {"unit_id", u.gd_rec}, {"score", 90}}; }, {"miit"}, Code::kForbidden},
      {"an expert recording a score", "score.recorded",
       [](const Units& u) { return Json{{"campaign", "2023"}, {"unit_id", u.gd_rec}, {"score", 90}}; }, {"expert1"}, Code::kOk},
      {"an expert recording a spot check", "spotcheck.recorded",
       [](const Units& u) { return Json{{"campaign", "2023"}, {"unit_id", u.gd_rec}, {"passed", true}}; }, {"expert1"}, Code::kOk},
      {"a province recording a spot check", "spotcheck.recorded",
       [](const Units& u) { return Json{{"campaign", "2023"}, {"unit_id", u.gd_rec}, {"passed", true}}; }, {"p440000-miit"},
       Code::kForbidden},
      {"a province registering an actor", "actor.registered",
       [](const Units&) { return Json{{"actor", "x1"}, {"role", "expert"}, {"name", "X"}, {"public_key", ""}}; }, {"p440000-miit"},
       Code::kForbidden, {"actor.registered needs the signatures of ministry"}},
      {"two ministries granting titles", "title.granted", [](const Units& u) { return Json{{"campaign", "2023"}, {"units", Json::array({u.gd})}}; },
       {"miit", "nhc"}, Code::kForbidden},
      {"a submission by the unit's own applicant", "submission.filed", [](const Units& u) { return Sub(u.fresh); }, {"app-fresh"},
       Code::kOk},
      {"a submission by one department of its authority", "submission.filed", [](const Units& u) { return Sub(u.fresh); },
       {"p440000-health"}, Code::kOk},
      {"a submission by another unit's applicant", "submission.filed", [](const Units& u) { return Sub(u.fresh); }, {"app-other"},
       Code::kForbidden, {"applicant of unit "}},
      {"a submission by another authority's department", "submission.filed", [](const Units& u) { return Sub(u.fresh); },
       {"p440300-miit"}, Code::kForbidden},
      {"a submission by an expert", "submission.filed", [](const Units& u) { return Sub(u.fresh); }, {"expert1"}, Code::kForbidden},
      {"a revoked department signing", "recommendation.issued", [](const Units& u) { return Rec(u.gd); }, kGd, Code::kForbidden,
       {"actor p440000-health was revoked at entry ", " and signs nothing"}, Tamper::kNone,
       [](Ledger& l) { EXPECT_OK(l.Append("actor.revoked", {{"actor", "p440000-health"}}, {"nhc"})); }},
      {"a revoked actor as an extra signer", "recommendation.issued", [](const Units& u) { return Rec(u.gd); },
       {"p440000-miit", "p440000-civil", "p440000-health", "expert1"}, Code::kForbidden, {"actor expert1 was revoked"}, Tamper::kNone,
       [](Ledger& l) { EXPECT_OK(l.Append("actor.revoked", {{"actor", "expert1"}}, {"miit"})); }},
      {"a flipped byte in a required signature", "recommendation.issued", [](const Units& u) { return Rec(u.gd); }, kGd,
       Code::kBadSignature, {"the signature of p440000-miit does not verify"}, Tamper::kFlipFirst},
      {"a flipped byte in an extra signature", "recommendation.issued", [](const Units& u) { return Rec(u.gd); },
       {"p440000-miit", "p440000-civil", "p440000-health", "expert1"}, Code::kBadSignature, {"the signature of expert1"},
       Tamper::kFlipLast},
      {"an unknown signer", "recommendation.issued", [](const Units& u) { return Rec(u.gd); },
       {"p440000-miit", "p440000-civil", "p440000-health", "stranger"}, Code::kUnknownSigner,
       {"signer stranger is not a registered actor"}},
      {"no signature at all", "campaign.opened", Open2021, {}, Code::kForbidden},
      {"a bad signature is reported before the policy", "campaign.opened", Open2021, {"expert1"}, Code::kBadSignature, {},
       Tamper::kFlipFirst},
      {"the policy is checked before the body", "recommendation.issued",
       [](const Units& u) { return Rec(fx::WithWrongCheck(u.gd)); }, {"expert1"}, Code::kForbidden},
      {"the body is checked before the rules", "recommendation.issued",
       [](const Units& u) { return Json{{"campaign", "2023"}, {"unit_id", u.gd}, {"note", "x"}}; }, kGd, Code::kSchemaViolation,
       {"unknown field \"note\""}},
  };
  return cases;
}

TEST(PolicyTest, EverySignerRequirementOfTheDefaultPolicy) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    Ledger l;
    const Units u = MakeUnits(l);
    if (c.before) c.before(l);
    SignedEvent e = l.Make(c.type, c.body(u), c.signers);
    if (c.tamper != Tamper::kNone) {
      Signature& sig = c.tamper == Tamper::kFlipFirst ? e.sigs.front() : e.sigs.back();
      sig.sig[10] = static_cast<char>(sig.sig[10] ^ 0x01);
    }
    const Status s = l.Append(e);
    if (c.code == Code::kOk) {
      EXPECT_OK(s);
      continue;
    }
    EXPECT_TRUE(IsCode(s, c.code, c.message));
    if (c.code == Code::kBadSignature) {
      EXPECT_EQ(s.details()["signer"], c.tamper == Tamper::kFlipFirst ? c.signers.front() : c.signers.back());
    }
    if (c.code == Code::kForbidden && !c.before) {
      EXPECT_TRUE(s.details().contains("required")) << s.details().dump();
    }
  }
}

TEST(PolicyTest, AGenesisWithARelaxedPolicyLetsTheRegionsMiitDepartmentRecommendAlone) {
  // A deployment may relax the policy, and the choice is itself in the genesis entry.
  Json policy = DefaultPolicyJson();
  policy["recommendation.issued"] = Json::array({Json::array({{{"role", "provincial"}, {"department", "miit"}, {"scope", "authority"}}})});
  Ledger l(fx::At("2023-10-15T08:00:00Z"), policy);
  EXPECT_EQ(l.state.genesis_policy, policy);
  l.Open2023WithBatches();
  const std::string gd = l.AddUnit("2023", "440000", "enterprise");
  EXPECT_TRUE(IsCode(l.Append("recommendation.issued", Rec(gd), {"p440000-civil"}), Code::kForbidden));
  EXPECT_OK(l.Append("recommendation.issued", Rec(gd), {"p440000-miit"}));
}

TEST(PolicyTest, APolicyMustCoverEveryEventTypeWithKnownRoles) {
  Json missing = DefaultPolicyJson();
  missing.erase("score.recorded");
  EXPECT_TRUE(fx::IsSchema(ParsePolicy(missing).status(), "policy.score.recorded"));
  Json bad_role = DefaultPolicyJson();
  bad_role["score.recorded"] = Json::array({Json::array({{{"role", "judge"}}})});
  EXPECT_TRUE(fx::IsSchema(ParsePolicy(bad_role).status(), "policy.score.recorded[0][0].role"));
  Json bad_scope = DefaultPolicyJson();
  bad_scope["campaign.opened"] = Json::array({Json::array({{{"role", "provincial"}, {"scope", "authority"}}})});
  EXPECT_TRUE(fx::IsSchema(ParsePolicy(bad_scope).status(), "policy.campaign.opened[0][0].scope"));
}

}  // namespace
}  // namespace pilotledger::projections

namespace pilotledger::projections {
namespace {

// One ministry registers other actors, but a ministry actor is registered or retired only by the
// three together: otherwise one could register stand-ins for the other two.
TEST(PolicyTest, MinistryActorsAreRegisteredAndRevokedOnlyByTheThreeMinistries) {
  fx::Ledger l;
  const Status alone = l.Register("fake-mca", "ministry", {{"department", "mca"}});
  EXPECT_TRUE(fx::IsCode(alone, Code::kForbidden, {"three ministries", "needs the signature of ministry mca"})) << alone.ToString();
  const Json body = {{"actor", "mca-2"}, {"role", "ministry"}, {"department", "mca"}, {"name", "民政部（新密钥）"},
                     {"public_key", l.Key("mca-2").public_key().ToBase64()}};
  ASSERT_OK(l.Append("actor.registered", body, fx::Ledger::Ministries()));
  EXPECT_TRUE(fx::IsCode(l.Try("actor.revoked", {{"actor", "mca"}}, {"miit"}), Code::kForbidden, {"three ministries"}));
  EXPECT_OK(l.Append("actor.revoked", {{"actor", "mca"}}, {"miit", "mca-2", "nhc"}));
  // Other actors still need one ministry only (PROTOCOL.md §5's default policy).
  EXPECT_OK(l.Register("expert-9", "expert"));
}

// A region's department is registered by the ministry of its line, so that no single ministry can
// make up a region's three departments and recommend alone.
TEST(PolicyTest, ProvincialDepartmentsAreRegisteredByTheMinistryOfTheirLine) {
  fx::Ledger l;
  const auto body = [&](const std::string& id, const std::string& dep) {
    return Json{{"actor", id}, {"role", "provincial"}, {"region", "110000"}, {"department", dep}, {"name", id},
                {"public_key", l.Key(id).public_key().ToBase64()}};
  };
  EXPECT_TRUE(fx::IsCode(l.Try("actor.registered", body("fake-civil", "civil"), {"miit"}), Code::kForbidden, {"ministry mca"}));
  EXPECT_TRUE(fx::IsCode(l.Try("actor.registered", body("fake-health", "health"), {"mca"}), Code::kForbidden, {"ministry nhc"}));
  EXPECT_OK(l.Append("actor.registered", body("p110000-civil", "civil"), {"mca"}));
  EXPECT_OK(l.Append("actor.registered", body("p110000-miit", "miit"), {"miit"}));
  EXPECT_TRUE(fx::IsCode(l.Try("actor.revoked", {{"actor", "p110000-civil"}}, {"miit"}), Code::kForbidden, {"ministry mca"}));
  EXPECT_OK(l.Append("actor.revoked", {{"actor", "p110000-civil"}}, {"mca"}));
  // SOE groups report to MIIT.
  const Json group = {{"actor", "soe-x"}, {"role", "soe_group"}, {"name", "某集团"}, {"public_key", l.Key("soe-x").public_key().ToBase64()}};
  EXPECT_TRUE(fx::IsCode(l.Try("actor.registered", group, {"nhc"}), Code::kForbidden, {"ministry miit"}));
  EXPECT_OK(l.Append("actor.registered", group, {"miit"}));
}

// A unit the ledger knows answers to its recorded authority: another region's departments cannot
// re-file it under their own authority to take it over.
TEST(PolicyTest, ASubmissionCannotMoveAKnownUnitToAnotherAuthority) {
  auto l = fx::OpenLedger("2023");
  const std::string guangdong = l->Titled("2019", "440000");
  l->AuthoritySigners("110000");
  UnitDescriptor moved = l->NewUnit("110000", "enterprise", "product");
  moved.id = guangdong;
  const Status takeover = l->Append("submission.filed", Sub(moved), {l->Departments("110000")[0]});
  EXPECT_EQ(takeover.code(), Code::kForbidden) << takeover.ToString();
  // Nor can its own authority move it elsewhere.
  const Status moved_by_owner = l->Append("submission.filed", Sub(moved), {l->Departments("440000")[0]});
  EXPECT_TRUE(fx::IsRule(moved_by_owner, "invalid_transition", {"is recorded under authority 440000"})) << moved_by_owner.ToString();
  EXPECT_EQ(l->UnitJson(guangdong)["authority"], "440000");
}

}  // namespace
}  // namespace pilotledger::projections
