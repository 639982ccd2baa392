// The files each decision rests on, the province's checks, assessments, who may apply, and the
// provisional and one-track settings (docs/rules.md: "Documents", "Checks", "Assessment",
// "Applicants", "Decisions where the sources are silent").
#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsRule;
using fx::IsSchema;
using fx::Ledger;

Json Doc(const std::string& name, char fill = 'e') { return {{"name", name}, {"sha256", std::string(64, fill)}, {"bytes", 2048}}; }

TEST(DocumentsTest, EachStepCarriesTheDocumentsTheRuleFileNames) {
  auto l = fx::OpenLedger("2023");
  const UnitDescriptor u = l->NewUnit("440000", "street");
  const Json submission = {{"campaign", "2023"}, {"unit", UnitDescriptorJson(u)}, {"metrics", fx::PassingMetrics("street", "")},
                           {"scenarios", fx::PassingScenarios("street")}};
  struct Case {
    std::string type;
    Json body;
    std::vector<std::string> signers;
    std::string missing;  // empty: accepted
  };
  const auto with = [](Json body, const Json& docs) {
    body["documents"] = docs;
    return body;
  };
  const std::vector<std::string> provincial = l->Departments("440000");
  const Json recommendation = l->Checked({{"campaign", "2023"}, {"unit_id", u.id}});
  const std::vector<Case> cases = {
      {"submission.filed", submission, {provincial[0]}, "申报材料"},
      {"submission.filed", with(submission, Json::array({Doc("附件")})), {provincial[0]}, "申报材料"},
      {"submission.filed", with(submission, Json::array({Doc("申报材料", 'a')})), {provincial[0]}, ""},
      {"recommendation.issued", recommendation, provincial, "推荐意见"},
      {"recommendation.issued", with(recommendation, Json::array({Doc("推荐意见", 'b')})), provincial, "汇总表"},
      {"recommendation.issued", with(recommendation, Json::array({Doc("推荐意见", 'b'), Doc("汇总表", 'c')})), provincial, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type + " " + c.body.value("documents", Json()).dump());
    const Status s = l->Append(c.type, c.body, c.signers);
    if (c.missing.empty()) {
      ASSERT_OK(s);
    } else {
      EXPECT_TRUE(IsSchema(s, "documents", {c.type + " must carry the document " + c.missing, "campaign 2023's rules (documents)"}));
    }
  }
  // The ledger indexes every citation by hash.
  ASSERT_EQ(l->state.documents.at(std::string(64, 'b')).size(), 1u);
  const Citation& cite = l->state.documents.at(std::string(64, 'c'))[0];
  EXPECT_EQ(cite.seq, l->last_seq());
  EXPECT_EQ(cite.type, "recommendation.issued");
  EXPECT_EQ(cite.name, "汇总表");
  EXPECT_EQ(cite.bytes, 2048);
  // 2021 ran online: its rules require no document.
  auto l21 = fx::OpenLedger("2021");
  const UnitDescriptor v = l21->NewUnit("440000", "street");
  ASSERT_OK(l21->Append("submission.filed",
                        {{"campaign", "2021"}, {"unit", UnitDescriptorJson(v)}, {"metrics", fx::PassingMetrics("street", "")},
                         {"scenarios", fx::PassingScenarios("street")}},
                        {l21->Departments("440000")[0]}));
}

TEST(ChecksTest, ARecommendationRecordsHowTheAuthorityCheckedTheUnit) {
  auto l = fx::OpenLedger("2023");
  const std::string id = l->AddUnit("2023", "440000", "enterprise");
  const Json base = l->Documented("recommendation.issued", {{"campaign", "2023"}, {"unit_id", id}});
  const auto with = [&](const Json& checks) {
    Json b = base;
    b["checks"] = checks;
    return b;
  };
  const Json visit = {{"method", "site_visit"}, {"date", "2023-10-12"}, {"note", "现场调研"}};
  const Json review = {{"method", "material_review"}, {"date", "2023-10-10"}, {"note", "材料审核"}};
  struct Case {
    std::string name;
    Json body;
    std::string field;  // schema_violation field; empty: accepted
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no checks", base, "checks", "must record the authority's site_visit check"},
      {"materials only", with(Json::array({review})), "checks", "must record the authority's site_visit check"},
      {"an unknown method", with(Json::array({review, {{"method", "phone_call"}, {"date", "2023-10-10"}, {"note", "x"}}})), "checks[1].method", ""},
      {"a method twice", with(Json::array({review, review})), "checks[1].method", "recorded twice"},
      {"not a date", with(Json::array({review, {{"method", "site_visit"}, {"date", "2023-13-01"}, {"note", "x"}}})), "checks[1].date", ""},
      {"no note", with(Json::array({review, {{"method", "site_visit"}, {"date", "2023-10-12"}}})), "checks[1].note", ""},
      {"dated after receipt", with(Json::array({review, {{"method", "site_visit"}, {"date", "2023-10-16"}, {"note", "x"}}})), "checks[1].date",
       "after the day the ledger received it (2023-10-15)"},
      {"both", with(Json::array({visit, review})), "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = l->Append("recommendation.issued", c.body, l->Departments("440000"));
    if (c.field.empty()) {
      ASSERT_OK(s);
    } else {
      EXPECT_TRUE(IsSchema(s, c.field, {c.message}));
    }
  }
  const Json checks = l->UnitJson(id)["applications"]["2023"]["checks"];
  EXPECT_EQ(checks, (Json::array({{{"date", "2023-10-12"}, {"method", "site_visit"}, {"note", "现场调研"}},
                                  {{"date", "2023-10-10"}, {"method", "material_review"}, {"note", "材料审核"}}})));
}

TEST(AssessmentTest, ARevocationForAFailedAssessmentNeedsOne) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string a = l.Titled("2017", "110000"), b = l.Titled("2018", "110000");
  EXPECT_TRUE(IsRule(l.Revoke("2017", a, "assessment_failed"), "invalid_transition", {"assessment_failed needs a failed assessment"}));
  ASSERT_OK(l.Assess("2017", a, true));
  EXPECT_TRUE(IsRule(l.Revoke("2017", a, "assessment_failed"), "invalid_transition", {"needs a failed assessment"})) << "it passed";
  ASSERT_OK(l.Assess("2018", b, false));
  EXPECT_TRUE(IsRule(l.Revoke("2017", b, "assessment_failed"), "invalid_transition")) << "2017 cannot revoke a 2018 title";
  EXPECT_TRUE(IsRule(l.Assess("2019", a, false), "invalid_transition", {"holds no active title of campaign 2019"}));
  ASSERT_OK(l.Assess("2017", a, false));
  ASSERT_OK(l.Revoke("2017", a, "assessment_failed"));
  ASSERT_OK(l.Revoke("2023", b, "assessment_failed")) << "the review campaign revokes the titles it reviews";
  const Json view = l.UnitJson(a);
  EXPECT_EQ(view["assessments"].size(), 2u);
  EXPECT_EQ(view["assessments"][1], (Json{{"campaign", "2017"}, {"note", "考核评估"}, {"passed", false}, {"seq", view["assessments"][1]["seq"]}}));
  EXPECT_FALSE(l.UnitJson(a, false).contains("assessments")) << "not public";
  EXPECT_TRUE(IsRule(l.Assess("2017", a, false), "invalid_transition")) << "a revoked title is not assessed";
}

TEST(ApplicantsTest, WhoMayApplyEachRefusalNamingItsRule) {
  auto l = fx::OpenLedger("2023");
  const std::string soe = l->SoeGroup("soe-test");
  struct Case {
    std::string name, authority, category, region, prefix;
    std::string rule;  // empty: accepted
    std::string message;
  };
  const std::vector<Case> cases = {
      {"a base with a provincial code", "440000", "base", "440000", "11", "applicant_not_county_level", "region 440000 is a provincial-level code"},
      {"a base with a prefecture code", "440000", "base", "440100", "11", "applicant_not_county_level", "region 440100 is a prefecture-level code"},
      {"a street with a provincial code", "440000", "street", "440000", "11", "applicant_not_county_level", "a street is a sub-district or township"},
      {"a base in a county-level district", "440000", "base", "440106", "11", "", ""},
      {"a planned city's district", "440300", "street", "440305", "11", "", ""},
      {"an XPCC city", "660000", "base", "659001", "11", "", ""},
      {"an individual business", "440000", "enterprise", "440106", "92", "applicant_not_company", "type 2, not 9 (工商) and 1 (企业)"},
      {"a social organisation", "440000", "enterprise", "440106", "51", "applicant_not_company", "registration authority 5"},
      {"a company", "440000", "enterprise", "440106", "91", "", ""},
      {"a park run by a public institution", "440000", "park", "440106", "12", "", ""},
      {"an SOE group's street", soe, "street", "110108", "11", "soe_member_category", "not a street"},
      {"an SOE group's base", soe, "base", "110108", "11", "soe_member_category", "not a base"},
      {"an SOE group's park", soe, "park", "110108", "12", "", ""},
  };
  int serial = 500;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    UnitDescriptor d = l->NewUnit(c.authority, c.category);
    d.region = c.region;
    d.id = fx::Uscc(c.region, ++serial, c.prefix);
    const Status s = l->SubmitPassing("2023", d);
    if (c.rule.empty()) {
      EXPECT_OK(s);
    } else {
      EXPECT_TRUE(IsRule(s, c.rule, {c.message}));
    }
  }
}

TEST(ProvisionalTest, ARefusalUnderProvisionalRulesSaysSo) {
  auto l = fx::OpenLedger("2023");
  const UnitDescriptor u = l->NewUnit("440000", "street");
  Json metrics = fx::PassingMetrics("street", "");
  metrics["people_served"] = 9999;
  ASSERT_OK(l->Submit("2023", u, metrics, fx::PassingScenarios("street")));
  const Status s = l->Recommend("2023", u.id);
  ASSERT_TRUE(IsRule(s, "not_eligible", {"judged under campaign 2023's provisional rules"}));
  EXPECT_EQ(s.details()["provisional"], true);
  auto l21 = fx::OpenLedger("2021");
  const UnitDescriptor v = l21->NewUnit("440000", "street");
  ASSERT_OK(l21->Submit("2021", v, metrics, fx::PassingScenarios("street")));
  const Status t = l21->Recommend("2021", v.id);
  ASSERT_TRUE(IsRule(t, "not_eligible"));
  EXPECT_FALSE(t.details().contains("provisional"));
}

TEST(OneTrackTest, TheOneTrackRuleIsASwitchOfTheRuleFile) {
  for (const bool one_track : {true, false}) {
    SCOPED_TRACE(one_track);
    Ledger l;
    for (const char* c : {"2017", "2018", "2019", "2020"}) ASSERT_OK(l.Open(c));
    Json rules = fx::CampaignRules("2023");
    rules["review"]["one_track"] = one_track;
    ASSERT_OK(l.Append("campaign.opened", {{"campaign", "2023"}, {"rules", rules}}, l.Ministries()));
    const std::string reviewed = l.Titled("2017", "110000");
    ASSERT_OK(l.RequestReview("2023", reviewed));
    UnitDescriptor again = l.NewUnit("110000", "enterprise", "product");
    again.id = reviewed;
    const Status s = l.SubmitPassing("2023", again);
    if (one_track) {
      EXPECT_TRUE(IsRule(s, "invalid_transition", {"is under review in campaign 2023"}));
    } else {
      EXPECT_OK(s);
    }
  }
}

}  // namespace
}  // namespace pilotledger::projections
