// The review as the 2023 call describes it (docs/rules.md, "Review"): the review list (附件2) as a
// signed review.scope, requests only from listed units with their review form (复核申请表, 附件3),
// an authority's own material requirements, the recommendation judged on the 2023 conditions and
// on progress in the three areas, the cap over the listed units, and the revocation of listed units
// that did not request a review.
#include <algorithm>

#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsRule;
using fx::IsSchema;
using fx::Ledger;

TEST(ReviewScopeTest, TheReviewListIsCheckedUnitByUnit) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string a = l.Titled("2017", "110000"), b = l.Titled("2019", "110000");
  const std::string batch4 = l.Titled("2020", "110000"), other = l.Titled("2018", "120000");
  const std::string applicant = l.AddUnit("2023", "110000", "enterprise");
  struct Case {
    std::string name;
    Json units;
    std::string rule;  // "schema:<field>" for a schema violation; empty: accepted
    std::string message;
  };
  const std::vector<Case> cases = {
      {"a batch-4 title is not reviewed", {{"110000", {batch4}}}, "invalid_transition", "holds no title from the batches campaign 2023 reviews"},
      {"an applicant holds no title", {{"110000", {applicant}}}, "invalid_transition", "holds no title"},
      {"listed under another authority", {{"110000", {other}}}, "invalid_transition", "answers to authority 120000, not 110000"},
      {"an unknown authority", {{"990000", {a}}}, "schema:units.990000", "no recommending authority 990000"},
      {"an unknown unit", {{"110000", {fx::Uscc("110101", 999)}}}, "unknown_unit", ""},
      {"a unit twice", {{"110000", {a}}, {"120000", {a}}}, "schema:units.120000[0]", "listed twice"},
      {"the list", {{"110000", {a, b}}, {"120000", {other}}}, "", ""},
      {"a unit already listed", {{"110000", {a}}}, "invalid_transition", "was put on the review list at entry"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = l.Append("review.scope", {{"campaign", "2023"}, {"units", c.units}}, l.Ministries());
    if (c.rule.empty()) {
      ASSERT_OK(s);
    } else if (c.rule.rfind("schema:", 0) == 0) {
      EXPECT_TRUE(IsSchema(s, c.rule.substr(7), {c.message}));
    } else {
      EXPECT_TRUE(IsRule(s, c.rule, {c.message}));
    }
  }
  const Campaign& c = *l.state.FindCampaign("2023");
  EXPECT_EQ(c.scope_seqs.size(), 1u);
  EXPECT_EQ(c.review_scope.at("110000").size(), 2u);
  EXPECT_TRUE(c.Listed("120000", other).has_value());
  EXPECT_FALSE(c.Listed("110000", other).has_value());
  EXPECT_TRUE(fx::IsCode(l.Append("review.scope", {{"campaign", "2023"}, {"units", {{"110000", {b}}}}}, {"miit"}), Code::kForbidden));
  l.now = fx::At("2023-11-01T00:00:00Z");
  EXPECT_TRUE(IsRule(l.Append("review.scope", {{"campaign", "2023"}, {"units", {{"110000", {batch4}}}}}, l.Ministries()), "deadline_passed"));
}

TEST(ReviewScopeTest, ARequestComesFromAListedUnitWithAFormThatFitsItsCategory) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string listed = l.Titled("2017", "110000", "street"), unlisted = l.Titled("2018", "110000");
  ASSERT_OK(l.Scope("2023", {listed}));
  Json form = l.ReviewForm("2023", listed);
  struct Case {
    std::string name;
    std::function<void(Json&)> change;
    std::string rule;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not on the list", [&](Json& b) { b = l.ReviewForm("2023", unlisted); }, "invalid_transition", "is not on campaign 2023's review list"},
      {"an enterprise metric for a street", [](Json& b) { b["metrics"]["beds"] = 300; }, "schema:metrics.beds", "no metric beds for a street"},
      {"a count as a boolean", [](Json& b) { b["metrics"]["online_offline"] = 1; }, "schema:metrics.online_offline", "must be true or false"},
      {"a negative figure", [](Json& b) { b["metrics"]["investment"] = -1; }, "schema:metrics.investment", "must not be negative"},
      {"no metrics", [](Json& b) { b.erase("metrics"); }, "schema:metrics", "the review form's figures"},
      {"a 2021-only scenario", [](Json& b) { b["scenarios"].push_back("virtual_nursing_home"); }, "schema:scenarios[4]", "has no scenario"},
      {"the form", [](Json&) {}, "", ""},
      {"twice", [](Json&) {}, "invalid_transition", "already requested its review at entry"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Json body = form;
    c.change(body);
    const Status s = l.RequestReviewWith(body);
    if (c.rule.empty()) {
      ASSERT_OK(s);
    } else if (c.rule.rfind("schema:", 0) == 0) {
      EXPECT_TRUE(IsSchema(s, c.rule.substr(7), {c.message}));
    } else {
      EXPECT_TRUE(IsRule(s, c.rule, {c.message}));
    }
  }
  const Review& r = l.state.FindUnit(listed)->reviews.at("2023");
  EXPECT_EQ(r.metrics, form["metrics"]);
  EXPECT_EQ(r.scenarios, form["scenarios"].get<std::vector<std::string>>());
  EXPECT_EQ(l.UnitJson(listed)["reviews"]["2023"]["eligibility"]["eligible"], true);
}

TEST(ReviewScopeTest, AnAuthorityMayRequireMaterialsOfItsOwn) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string unit = l.Titled("2017", "440000"), elsewhere = l.Titled("2017", "110000");
  ASSERT_OK(l.Scope("2023", {unit, elsewhere}));
  const Json requirements = {{"campaign", "2023"}, {"authority", "440000"}, {"required_documents", {"近三年发展报告", "财务审计报告"}}};
  EXPECT_TRUE(fx::IsCode(l.Append("review.requirements", requirements, l.Departments("110000")), Code::kForbidden));
  EXPECT_TRUE(fx::IsCode(l.Append("review.requirements", requirements, {l.Departments("440000")[0]}), Code::kForbidden));
  ASSERT_OK(l.Append("review.requirements", requirements, l.Departments("440000")));
  EXPECT_EQ(l.state.FindCampaign("2023")->review_requirements.at("440000").documents.size(), 2u);

  Json form = l.ReviewForm("2023", unit);
  form["documents"] = Json::array({{{"name", "复核申请表"}, {"sha256", std::string(64, 'a')}, {"bytes", 10}},
                                   {{"name", "近三年发展报告"}, {"sha256", std::string(64, 'b')}, {"bytes", 10}}});
  const Status missing = l.RequestReviewWith(form);
  EXPECT_TRUE(IsSchema(missing, "documents", {"review.requested must carry the document 财务审计报告", "authority 440000's review requirements at entry"}));
  form["documents"].push_back({{"name", "财务审计报告"}, {"sha256", std::string(64, 'c')}, {"bytes", 20}});
  ASSERT_OK(l.RequestReviewWith(form));
  ASSERT_OK(l.RequestReview("2023", elsewhere)) << "another authority's requirements do not apply";
}

TEST(ReviewScopeTest, ARecommendationIsJudgedOnThe2023ConditionsAndTheThreeAreasOfProgress) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string base = l.Titled("2019", "110000", "base");
  ASSERT_OK(l.Scope("2023", {base}));
  Json form = l.ReviewForm("2023", base);
  form["metrics"]["it_investment"] = 7000000;       // B-1: 800万元
  form["metrics"].erase("unified_platform");          // B-3: missing fails
  form["scenarios"] = fx::CommonScenarios(7);        // B-5: 8 scenarios
  ASSERT_OK(l.RequestReviewWith(form));
  struct Case {
    std::string name;
    Json findings;
    std::vector<std::string> failed;  // empty: schema violation `schema`
    std::string schema;
  };
  const std::vector<Case> cases = {
      {"every area found", Ledger::Findings(), {"B-1", "B-3", "B-5"}, ""},
      {"no progress in two areas", Ledger::Findings(false, true, false),
       {"B-1", "B-3", "B-5", "progress.industry_development", "progress.industry_influence"}, ""},
      {"an area missing", [] { Json f = Ledger::Findings(); f.erase("service_capability"); return f; }(), {}, "findings.service_capability"},
      {"an unknown area", [] { Json f = Ledger::Findings(); f["innovation"] = {{"progress", true}, {"note", "x"}}; return f; }(), {},
       "findings.innovation"},
      {"a finding without a note", [] { Json f = Ledger::Findings(); f["service_capability"].erase("note"); return f; }(), {},
       "findings.service_capability.note"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status s = l.RecommendReview("2023", base, c.findings);
    if (!c.schema.empty()) {
      EXPECT_TRUE(IsSchema(s, c.schema));
      continue;
    }
    ASSERT_TRUE(IsRule(s, "not_eligible", {"is not eligible for review in campaign 2023"}));
    std::vector<std::string> ids;
    for (const Json& f : s.details()["failed"]) ids.push_back(f["id"]);
    EXPECT_EQ(ids, c.failed);
  }
  EXPECT_FALSE(l.state.FindUnit(base)->reviews.at("2023").recommended_seq.has_value());

  // A unit whose form passes is recommended, and the findings are kept.
  const std::string good = l.Titled("2018", "110000", "street");
  ASSERT_OK(l.RequestReview("2023", good));
  ASSERT_OK(l.RecommendReview("2023", good));
  const Json view = l.UnitJson(good)["reviews"]["2023"];
  EXPECT_EQ(view["findings"]["industry_influence"], (Json{{"note", "行业影响力增强"}, {"progress", true}}));
  EXPECT_EQ(view["state"], "recommended");
}

TEST(ReviewScopeTest, TheCapIsAShareOfTheListedUnitsAndListedUnitsThatDoNotRequestAreRevoked) {
  Ledger l;
  l.Open2023WithBatches();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(l.Titled(i % 2 ? "2017" : "2018", "110000"));
  ASSERT_OK(l.Scope("2023", ids));
  ASSERT_OK(l.RequestReview("2023", ids[0]));
  ASSERT_OK(l.RequestReview("2023", ids[1]));
  // base 4 listed (not the 2 that requested): floor(0.7 * 4) = 2 places.
  EXPECT_EQ(l.Quota("2023", "110000")["review"]["base"], 4);
  EXPECT_EQ(l.Quota("2023", "110000")["review"]["cap"], 2);
  ASSERT_OK(l.RecommendReview("2023", ids[0]));
  ASSERT_OK(l.RecommendReview("2023", ids[1]));

  const Json before = ReviewScopeView(l.state, *l.state.FindCampaign("2023"));
  EXPECT_EQ(before["authorities"][0]["not_requested"], Json::array());
  EXPECT_TRUE(IsRule(l.Revoke("2023", ids[2], "review_not_requested"), "invalid_transition", {"may still request its review until"}));
  l.now = fx::At("2023-11-01T00:00:00Z");
  ASSERT_OK(l.Register("late-expert", "expert"));  // the ledger's clock passes the deadline
  const Json after = ReviewScopeView(l.state, *l.state.FindCampaign("2023"));
  Json expected = Json::array({ids[2], ids[3]});
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(after["authorities"][0]["not_requested"], expected);
  EXPECT_EQ(after["deadline_passed"], true);
  EXPECT_EQ(l.UnitJson(ids[2])["due_for_revocation"]["reason"], "review_not_requested");
  for (const std::string& id : {ids[2], ids[3]}) ASSERT_OK(l.Revoke("2023", id, "review_not_requested"));
  EXPECT_TRUE(IsRule(l.Revoke("2023", ids[0], "review_not_requested"), "invalid_transition", {"requested its review at entry"}));
  EXPECT_EQ(ReviewScopeView(l.state, *l.state.FindCampaign("2023"))["authorities"][0]["listed"][0]["title_active"].is_boolean(), true);
  EXPECT_EQ(l.Quota("2023", "110000")["review"]["base"], 4) << "the listed base does not shrink with revocations";
}

}  // namespace
}  // namespace pilotledger::projections
