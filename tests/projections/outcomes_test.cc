// Every application ends in an outcome (docs/rules.md, "Outcomes"): application.rejected and
// review.failed with a reason that must fit the record, the scoring rule, and campaign.closed,
// refused while a recommended unit has no outcome; after it only revocations touch the round.
#include <map>

#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsRule;
using fx::IsSchema;
using fx::Ledger;

TEST(OutcomesTest, ARejectionsReasonMustFitTheRecord) {
  auto l = fx::OpenLedger("2023");
  struct Case {
    std::string reason;
    std::function<void(const std::string& unit)> record;  // what makes the reason fit
    std::string unfit;                                      // the refusal without it
    std::vector<std::string> cosigners = {};
  };
  const std::vector<Case> cases = {
      {"score_below_line", [&](const std::string& u) { for (int e = 1; e <= 3; ++e) ASSERT_OK(l->Score("2023", u, 55, "e" + std::to_string(e))); },
       "score_below_line needs the expert scores"},
      {"spot_check_failed", [&](const std::string& u) { ASSERT_OK(l->SpotCheck("2023", u, false)); }, "spot_check_failed needs a failed spot check"},
      {"objection_upheld",
       [&](const std::string& u) {
         ASSERT_OK(l->Publish("2023", {u}, fx::At("2023-10-20T00:00:00Z")));
         ASSERT_OK(l->Object("2023", u));
         ASSERT_OK(l->Resolve("2023", l->last_seq(), true));
       },
       "objection_upheld needs an upheld objection"},
      {"not_eligible",
       [&](const std::string&) {
         Json rules = fx::CampaignRules("2023");
         rules["eligibility"]["street"][0]["min"] = 99000000;  // T-1a amended upwards
         ASSERT_OK(l->Append("campaign.amended", {{"campaign", "2023"}, {"rules", rules}}, l->Ministries()));
       },
       "not_eligible needs a failed criterion"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    const std::string unfit = l->AddRecommended("2023", "440000", "street");
    const std::string fit = l->AddRecommended("2023", "440000", "street");
    EXPECT_TRUE(IsRule(l->Reject("2023", unfit, c.reason), "invalid_transition", {c.unfit}));
    c.record(fit);
    ASSERT_OK(l->Reject("2023", fit, c.reason));
    const Json view = l->UnitJson(fit)["applications"]["2023"];
    EXPECT_EQ(view["state"], "rejected");
    EXPECT_EQ(view["refusal"]["reason"], c.reason);
    EXPECT_TRUE(IsRule(l->Reject("2023", fit, c.reason), "invalid_transition", {"was already rejected at entry"}));
  }
  // withdrawn: the unit's side co-signs; other: a note.
  const std::string w = l->AddRecommended("2023", "440000", "base");
  EXPECT_TRUE(IsRule(l->Reject("2023", w, "withdrawn"), "invalid_transition", {"withdrawn needs the co-signature"}));
  ASSERT_OK(l->Reject("2023", w, "withdrawn", "", {l->Departments("440000")[0]}));
  const std::string o = l->AddRecommended("2023", "440000", "base");
  EXPECT_TRUE(IsSchema(l->Reject("2023", o, "other"), "note", {"reason other needs a note"}));
  EXPECT_TRUE(IsSchema(l->Reject("2023", o, "too_late"), "reason"));
  ASSERT_OK(l->Reject("2023", o, "other", "申报单位主体资格变更"));
  // Only a recommended, undecided unit is rejected; a rejected one is not granted.
  const std::string submitted = l->AddUnit("2023", "440000", "enterprise");
  EXPECT_TRUE(IsRule(l->Reject("2023", submitted, "other", "x"), "invalid_transition", {"was not recommended in campaign 2023"}));
  EXPECT_TRUE(fx::IsCode(l->Append("application.rejected", {{"campaign", "2023"}, {"unit_id", o}, {"reason", "other"}, {"note", "x"}}, {"miit"}),
                         Code::kForbidden));
  l->now = fx::At("2023-10-21T00:00:00Z");
  EXPECT_TRUE(IsRule(l->Grant("2023", {o}), "invalid_transition"));
}

TEST(OutcomesTest, ScoresFollowTheScoringRule) {
  auto l = fx::OpenLedger("2023");
  const std::string u = l->AddRecommended("2023", "440000", "street");
  EXPECT_TRUE(IsSchema(l->Score("2023", u, 101), "score", {"campaign 2023 scores 0-100 (scoring), got 101"}));
  EXPECT_TRUE(IsSchema(l->Score("2023", u, -1), "score"));
  ASSERT_OK(l->Score("2023", u, 100, "a"));
  ASSERT_OK(l->Score("2023", u, 0, "b"));
  const Status early = l->Append("publication.issued", {{"campaign", "2023"}, {"units", {u}}, {"objection_deadline", "2023-10-20T00:00:00Z"}},
                                 l->Ministries());
  EXPECT_TRUE(IsRule(early, "invalid_transition", {"has 2 of the 3 expert scores campaign 2023 requires before publication"}));
  ASSERT_OK(l->Score("2023", u, 70, "c"));
  ASSERT_OK(l->Append("publication.issued", {{"campaign", "2023"}, {"units", {u}}, {"objection_deadline", "2023-10-20T00:00:00Z"}},
                      l->Ministries()));
}

TEST(OutcomesTest, AReviewFailsWithAReasonAndOnlyThenIsItsTitleRevokedForIt) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string a = l.Titled("2017", "110000"), b = l.Titled("2018", "110000"), c = l.Titled("2019", "110000");
  for (const std::string& u : {a, b, c}) ASSERT_OK(l.RequestReview("2023", u));
  ASSERT_OK(l.RecommendReview("2023", a));
  ASSERT_OK(l.RecommendReview("2023", b));
  EXPECT_TRUE(IsRule(l.Revoke("2023", a, "review_failed"), "invalid_transition", {"its failure is a review.failed first"}));
  EXPECT_TRUE(IsRule(l.FailReview("2023", a, "spot_check_failed"), "invalid_transition", {"needs a failed spot check"}));
  EXPECT_TRUE(IsRule(l.FailReview("2023", c, "other", "x"), "invalid_transition", {"was not recommended for review"}));
  ASSERT_OK(l.SpotCheck("2023", a, false));
  ASSERT_OK(l.FailReview("2023", a, "spot_check_failed"));
  EXPECT_EQ(l.UnitJson(a)["reviews"]["2023"]["state"], "failed");
  EXPECT_TRUE(IsRule(l.PassReview("2023", {a}), "invalid_transition"));
  ASSERT_OK(l.Revoke("2023", a, "review_failed"));
  EXPECT_EQ(l.UnitJson(a)["status"], "revoked");
}

TEST(OutcomesTest, ACampaignClosesOnlyOnceEveryRecommendedUnitHasAnOutcome) {
  Ledger l(fx::At("2023-10-15T08:00:00Z"));
  l.Open2023WithBatches();
  const std::string granted = l.AddRecommended("2023", "440000", "street");
  const std::string rejected = l.AddRecommended("2023", "440000", "street");
  const std::string submitted = l.AddUnit("2023", "440000", "enterprise");  // never recommended: no outcome needed
  const std::string reviewed = l.Titled("2017", "440000");
  const std::string idle = l.Titled("2018", "440000");
  ASSERT_OK(l.Scope("2023", {idle}));
  ASSERT_OK(l.RequestReview("2023", reviewed));
  ASSERT_OK(l.RecommendReview("2023", reviewed));

  const auto refused = [&](size_t open) {
    const Status s = l.Close("2023");
    ASSERT_TRUE(IsRule(s, "invalid_transition", {"campaign 2023 cannot close: " + std::to_string(open)}));
    EXPECT_EQ(s.details()["open"].size(), open);
  };
  refused(3);
  ASSERT_OK(l.Publish("2023", {granted, reviewed}, fx::At("2023-10-20T00:00:00Z")));
  l.now = fx::At("2023-10-21T00:00:00Z");
  ASSERT_OK(l.Grant("2023", {granted}));
  refused(2);
  for (int e = 1; e <= 3; ++e) ASSERT_OK(l.Score("2023", rejected, 50, "s" + std::to_string(e)));
  ASSERT_OK(l.Reject("2023", rejected, "score_below_line"));
  refused(1);
  ASSERT_OK(l.PassReview("2023", {reviewed}));
  const Json outcomes = OutcomeView(l.state, *l.state.FindCampaign("2023"));
  ASSERT_EQ(outcomes["units"].size(), 3u);
  std::map<std::string, std::string> states;
  for (const Json& u : outcomes["units"]) states[u["unit_id"]] = u["outcome"]["state"];
  EXPECT_EQ(states, (std::map<std::string, std::string>{{granted, "granted"}, {rejected, "rejected"}, {reviewed, "passed"}}));
  EXPECT_EQ(outcomes["open_items"], Json::array());
  ASSERT_OK(l.Close("2023"));
  EXPECT_EQ(l.state.FindCampaign("2023")->closed_seq, l.last_seq());

  // After it, only revocations touch the round.
  EXPECT_TRUE(IsRule(l.Close("2023"), "invalid_transition", {"was closed at entry"}));
  EXPECT_TRUE(IsRule(l.Exception("2023", "440000", "street"), "invalid_transition", {"only revocations touch it now"}));
  EXPECT_TRUE(IsRule(l.SubmitPassing("2023", l.NewUnit("440000", "park")), "invalid_transition", {"campaign 2023 was closed"}));
  EXPECT_TRUE(IsRule(l.RequestReview("2023", idle), "invalid_transition", {"campaign 2023 was closed"}));
  l.now = fx::At("2023-11-01T00:00:00Z");
  ASSERT_OK(l.Register("late-expert", "expert"));
  const Json late = OutcomeView(l.state, *l.state.FindCampaign("2023"));
  ASSERT_EQ(late["open_items"].size(), 1u);
  EXPECT_EQ(late["open_items"][0]["unit_id"], idle);
  ASSERT_OK(l.Revoke("2023", idle, "review_not_requested"));
  EXPECT_EQ(OutcomeView(l.state, *l.state.FindCampaign("2023"))["open_items"], Json::array());
  (void)submitted;
}

}  // namespace
}  // namespace pilotledger::projections
