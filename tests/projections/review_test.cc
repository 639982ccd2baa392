// The 2023 review (复核) of the 2017–2019 titles: the cap floor(cap_bp × base / 10000) over the units
// that requested the review and still hold the title, its exception, the review track, and the
// revocation reasons that refer to it (DOMAIN.md, docs/rules.md "Review").
#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsRule;
using fx::Ledger;

const std::vector<std::string> kBatches = {"2017", "2018", "2019"};
const std::vector<std::string> kHistoricalCategories = {"enterprise", "street", "base"};

// `n` units of `authority` titled in the reviewed batches (cycling), each having requested the review.
std::vector<std::string> Requested(Ledger& l, const std::string& authority, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(l.Titled(kBatches[i % 3], authority, kHistoricalCategories[i % 3]));
    EXPECT_OK(l.RequestReview("2023", ids.back()));
  }
  return ids;
}

TEST(ReviewTest, RecommendsFloorOfSeventyPercentOfTheBaseThenOneMoreByException) {
  struct Case {
    std::string authority;
    int base;
    int cap;
  };
  for (const Case& c : std::vector<Case>{{"110000", 1, 0}, {"120000", 3, 2}, {"440300", 7, 4}, {"660000", 10, 7}}) {
    SCOPED_TRACE(c.authority + " base " + std::to_string(c.base));
    Ledger l;
    l.Open2023WithBatches();
    const std::vector<std::string> ids = Requested(l, c.authority, c.base);
    EXPECT_EQ(l.Quota("2023", c.authority)["review"], (Json{{"base", c.base}, {"base_rule", "listed"}, {"listed", c.base}, {"cap", c.cap}, {"cap_bp", 7000}, {"extra", 0}, {"recommended", 0},
                                                            {"recommended_revoked", 0}, {"remaining", c.cap}, {"requested", c.base},
                                                            {"revoked_since_request", 0}}));
    for (int i = 0; i < c.cap; ++i) ASSERT_OK(l.RecommendReview("2023", ids[i]));

    const Status refused = l.RecommendReview("2023", ids[c.cap]);
    ASSERT_TRUE(IsRule(refused, "review_cap_exceeded",
                       {"authority " + c.authority + " may recommend " + std::to_string(c.cap) + " of its " + std::to_string(c.base) +
                        " units under review (70%, rounded down) and has no exception; it has recommended " + std::to_string(c.cap)}));
    EXPECT_EQ(refused.details(), (Json{{"rule", "review_cap_exceeded"}, {"provisional", true}, {"authority", c.authority}, {"base", c.base},
                                       {"cap", c.cap}, {"extra", 0}, {"recommended", c.cap}}));

    ASSERT_OK(l.Exception("2023", c.authority, "review", 1));
    ASSERT_OK(l.RecommendReview("2023", ids[c.cap]));
    if (c.cap + 1 < c.base) {
      EXPECT_TRUE(IsRule(l.RecommendReview("2023", ids[c.cap + 1]), "review_cap_exceeded", {"plus 1 by exception"}));
    }
    EXPECT_EQ(l.Quota("2023", c.authority)["review"],
              (Json{{"base", c.base}, {"base_rule", "listed"}, {"listed", c.base}, {"cap", c.cap}, {"cap_bp", 7000}, {"extra", 1}, {"recommended", c.cap + 1}, {"recommended_revoked", 0},
                    {"remaining", 0}, {"requested", c.base}, {"revoked_since_request", 0}}));
  }
}

// Three requested units (cap 2); the first, from 2017, loses its title in `campaign`.
void ExpectBaseShrinksAfterRevocation(const std::string& campaign, const std::string& reason) {
  Ledger l;
  l.Open2023WithBatches("requested_and_titled");
  const std::vector<std::string> ids = Requested(l, "110000", 3);
  EXPECT_EQ(l.Quota("2023", "110000")["review"]["cap"], 2);
  if (reason == "assessment_failed") {
    ASSERT_OK(l.Assess("2017", ids[0], false));
  }
  ASSERT_OK(l.Revoke(campaign, ids[0], reason, reason == "other" ? "see the notice" : ""));
  EXPECT_EQ(l.Quota("2023", "110000")["review"], (Json{{"base", 2}, {"base_rule", "requested_and_titled"}, {"listed", 3}, {"cap", 1}, {"cap_bp", 7000}, {"extra", 0}, {"recommended", 0},
                                                        {"recommended_revoked", 0}, {"remaining", 1}, {"requested", 3},
                                                        {"revoked_since_request", 1}}));
  ASSERT_OK(l.RecommendReview("2023", ids[1]));
  const Status s = l.RecommendReview("2023", ids[2]);
  ASSERT_TRUE(IsRule(s, "review_cap_exceeded", {"may recommend 1 of its 2 units"}));
  EXPECT_EQ(s.details()["base"], 2);
}

TEST(ReviewTest, ATitleRevokedInItsOwnBatchNoLongerCountsInTheBase) {
  ExpectBaseShrinksAfterRevocation("2017", "assessment_failed");
}

TEST(ReviewTest, ATitleRevokedByTheReviewNoLongerCountsInTheBase) {
  ExpectBaseShrinksAfterRevocation("2023", "assessment_failed");
}

TEST(ReviewTest, UnitsThatDidNotRequestAndLaterBatchesAreNotInTheBase) {
  Ledger l;
  l.Open2023WithBatches("requested_and_titled");
  Requested(l, "110000", 2);
  ASSERT_OK(l.Scope("2023", {l.Titled("2017", "110000")}));  // listed, never requested
  l.Titled("2020", "110000");  // batch 4 is not reviewed
  l.Titled("2019", "120000");  // another authority
  EXPECT_EQ(l.Quota("2023", "110000")["review"], (Json{{"base", 2}, {"base_rule", "requested_and_titled"}, {"listed", 3}, {"cap", 1}, {"cap_bp", 7000}, {"extra", 0}, {"recommended", 0},
                                                        {"recommended_revoked", 0}, {"remaining", 1}, {"requested", 2},
                                                        {"revoked_since_request", 0}}));
}

// A cap filled while the base was 3 stays counted when a recommended unit's title is revoked: the
// count then exceeds today's cap, and the quota view says why.
TEST(ReviewTest, RecommendationsMadeWithinTheCapStayCountedWhenTheBaseShrinks) {
  Ledger l;
  l.Open2023WithBatches("requested_and_titled");
  const std::vector<std::string> ids = Requested(l, "110000", 3);
  ASSERT_OK(l.RecommendReview("2023", ids[0]));
  ASSERT_OK(l.RecommendReview("2023", ids[1]));
  ASSERT_OK(l.Assess("2017", ids[0], false));
  ASSERT_OK(l.Revoke("2023", ids[0], "assessment_failed", ""));
  EXPECT_EQ(l.Quota("2023", "110000")["review"],
            (Json{{"base", 2}, {"base_rule", "requested_and_titled"}, {"listed", 3}, {"cap", 1}, {"cap_bp", 7000}, {"extra", 0}, {"recommended", 2}, {"recommended_revoked", 1},
                  {"remaining", 0}, {"requested", 3}, {"revoked_since_request", 1},
                  {"note", "2 recommendations exceed today's cap of 1 without breaking a rule: each was within the cap when it was made "
                           "and stays counted, but since then 1 of the 3 titles under review was revoked, shrinking the base to 2; no "
                           "further recommendation is admitted"}}));
  EXPECT_TRUE(IsRule(l.RecommendReview("2023", ids[2]), "review_cap_exceeded", {"may recommend 1 of its 2 units"}));
}

TEST(ReviewTest, ReviewTransitionsAllowedAndRefused) {
  Ledger l;
  l.Open2023WithBatches();
  const std::vector<std::string> ids = Requested(l, "110000", 10);
  const std::string batch4 = l.Titled("2020", "110000");
  const std::string applicant = l.AddUnit("2023", "110000", "enterprise");
  const std::string idle = l.Titled("2018", "110000");

  EXPECT_TRUE(IsRule(l.RequestReview("2023", batch4), "invalid_transition",
                     {"unit " + batch4 + " holds no title from the batches campaign 2023 reviews"}));
  EXPECT_TRUE(IsRule(l.RequestReview("2023", applicant), "invalid_transition", {"holds no title from the batches"}));
  EXPECT_TRUE(IsRule(l.RequestReview("2023", ids[0]), "invalid_transition", {"already requested its review at entry"}));
  EXPECT_TRUE(IsRule(l.RequestReview("2021", ids[0]), "unknown_campaign"));
  EXPECT_TRUE(IsRule(l.RequestReviewWith(l.ReviewForm("2023", fx::Uscc("110100", 999))), "unknown_unit"));
  EXPECT_TRUE(IsRule(l.RequestReviewWith(l.ReviewForm("2020", batch4)), "invalid_transition", {"campaign 2020 reviews no titles"}));
  EXPECT_TRUE(IsRule(l.RecommendReview("2023", idle), "invalid_transition", {"has not requested a review in campaign 2023"}));
  EXPECT_TRUE(IsRule(l.PassReview("2023", {ids[0]}), "invalid_transition", {"was not recommended for review in campaign 2023"}));

  ASSERT_OK(l.RecommendReview("2023", ids[0]));
  EXPECT_TRUE(IsRule(l.RecommendReview("2023", ids[0]), "invalid_transition", {"already recommended at entry"}));
  EXPECT_TRUE(IsRule(l.PassReview("2023", {ids[0]}), "invalid_transition", {"has not been published in campaign 2023"}));
  ASSERT_OK(l.Score("2023", ids[0], 90));
  ASSERT_OK(l.Publish("2023", {ids[0]}, fx::At("2023-10-20T00:00:00Z")));
  EXPECT_TRUE(IsRule(l.PassReview("2023", {ids[0]}), "invalid_transition", {"objection period runs until 2023-10-20T00:00:00.000Z"}));
  l.now = fx::At("2023-10-20T00:00:00.001Z");
  ASSERT_OK(l.PassReview("2023", {ids[0]}));
  EXPECT_TRUE(IsRule(l.PassReview("2023", {ids[0]}), "invalid_transition", {"already passed the review at entry"}));
  const Json view = l.UnitJson(ids[0]);
  EXPECT_EQ(view["reviews"]["2023"]["state"], "passed");
  EXPECT_EQ(view["titles"]["2017"]["active"], true);
  EXPECT_EQ(view["status"], "titled");

  // The 2023 deadline holds for review requests and recommendations too.
  l.now = fx::At("2023-10-31T16:00:00.001Z");
  const Status late = l.RecommendReview("2023", ids[1]);
  ASSERT_TRUE(IsRule(late, "deadline_passed", {"review recommendation in campaign 2023 closed at 2023-10-31T23:59:59+08:00"}));
  EXPECT_EQ(late.details()["deadline"], "2023-10-31T23:59:59+08:00");
  EXPECT_TRUE(IsRule(l.RequestReview("2023", idle), "deadline_passed"));
}

TEST(ReviewTest, AnUpheldObjectionFailsTheReview) {
  Ledger l;
  l.Open2023WithBatches();
  const std::vector<std::string> ids = Requested(l, "110000", 3);
  ASSERT_OK(l.RecommendReview("2023", ids[0]));
  ASSERT_OK(l.RecommendReview("2023", ids[1]));
  ASSERT_OK(l.Publish("2023", {ids[0], ids[1]}, fx::At("2023-10-20T00:00:00Z")));
  ASSERT_OK(l.Object("2023", ids[0]));
  ASSERT_OK(l.Resolve("2023", l.last_seq(), true));
  ASSERT_OK(l.Object("2023", ids[1]));
  ASSERT_OK(l.Resolve("2023", l.last_seq(), false));
  EXPECT_EQ(l.UnitJson(ids[0])["reviews"]["2023"]["state"], "rejected");
  EXPECT_EQ(l.UnitJson(ids[0])["due_for_revocation"], (Json{{"campaign", "2023"}, {"reason", "review_failed"}, {"detail", "an objection was upheld"}}));
  l.now = fx::At("2023-10-21T00:00:00Z");
  EXPECT_TRUE(IsRule(l.PassReview("2023", {ids[0]}), "invalid_transition", {"to unit " + ids[0] + " was upheld"}));
  ASSERT_OK(l.PassReview("2023", {ids[1]}));
  ASSERT_OK(l.Revoke("2023", ids[0], "objection_upheld"));
  EXPECT_EQ(l.UnitJson(ids[0])["due_for_revocation"], Json(nullptr));
}

TEST(ReviewTest, RevocationReasonsMustFitTheReview) {
  Ledger l;
  l.Open2023WithBatches();
  const std::vector<std::string> ids = Requested(l, "110000", 4);  // cap 2
  const std::string never = l.Titled("2018", "110000");
  ASSERT_OK(l.Scope("2023", {never}));
  const std::string batch4 = l.Titled("2020", "110000");
  ASSERT_OK(l.RecommendReview("2023", ids[0]));
  ASSERT_OK(l.Publish("2023", {ids[0]}, fx::At("2023-10-20T00:00:00Z")));
  l.now = fx::At("2023-10-21T00:00:00Z");
  ASSERT_OK(l.PassReview("2023", {ids[0]}));

  struct Case {
    std::string campaign, unit, reason, rule, message;  // rule empty: accepted
  };
  const std::vector<Case> cases = {
      {"2023", ids[1], "review_not_requested", "invalid_transition", "unit " + ids[1] + " requested its review at entry"},
      {"2023", never, "review_failed", "invalid_transition", "unit " + never + " never requested a review"},
      {"2023", ids[0], "review_failed", "invalid_transition", "unit " + ids[0] + " passed its review at entry"},
      {"2017", ids[0], "review_not_requested", "invalid_transition", "campaign 2017 reviews no titles, so review_not_requested does not apply"},
      {"2017", ids[0], "review_failed", "invalid_transition", "campaign 2017 reviews no titles"},
      {"2023", batch4, "assessment_failed", "invalid_transition", "unit " + batch4 + " holds no title that campaign 2023 can revoke"},
      {"2018", ids[0], "other", "invalid_transition", "holds no title that campaign 2018 can revoke"},  // ids[0] is from 2017
      {"2023", fx::Uscc("110100", 999), "other", "unknown_unit", ""},
      // Before the review closes, its failures are not yet failures.
      {"2023", never, "review_not_requested", "invalid_transition", "unit " + never + " may still request its review until"},
      {"2023", ids[1], "review_failed", "invalid_transition", "unit " + ids[1] + " may still be recommended for review until"},
      {"2023", ids[2], "objection_upheld", "invalid_transition", "no objection to unit " + ids[2] + " was upheld in campaign 2023"},
      {"2020", batch4, "assessment_failed", "", ""},
      {"2017", ids[3], "other", "", ""},  // ids[3] is from 2017: revoked in its own campaign, with a note
  };
  const std::vector<Case> after_deadline = {
      {"2023", never, "review_not_requested", "", ""},
      {"2023", never, "review_not_requested", "invalid_transition", "holds no title that campaign 2023 can revoke"},  // twice
      {"2023", ids[1], "review_failed", "", ""},
  };
  ASSERT_OK(l.Assess("2020", batch4, false));
  const auto run = [&](const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(c.campaign + " " + c.unit + " " + c.reason);
      const Status s = l.Revoke(c.campaign, c.unit, c.reason, c.reason == "other" ? "see the notice" : "");
      if (c.rule.empty()) {
        ASSERT_OK(s);
        const Json title = l.UnitJson(c.unit)["titles"][l.state.FindUnit(c.unit)->titles.begin()->first];
        EXPECT_EQ(title["active"], false);
        EXPECT_EQ(title["revoked_in"], c.campaign);
        EXPECT_EQ(title["reason"], c.reason);
        EXPECT_EQ(l.UnitJson(c.unit)["status"], "revoked");
      } else {
        EXPECT_TRUE(IsRule(s, c.rule, {c.message}));
      }
    }
  };
  run(cases);
  l.now = fx::At("2023-11-01T00:00:00Z");
  run(after_deadline);
  EXPECT_EQ(l.UnitJson(ids[3])["titles"]["2017"]["note"], "see the notice");
  EXPECT_TRUE(IsRule(l.RequestReview("2023", ids[3]), "invalid_transition", {"holds no title from the batches"}))
      << "a revoked title cannot be reviewed";
}

TEST(ReviewTest, AUnitWhoseTitleWasRevokedCannotBeRecommendedOrPassInTheReview) {
  // PROTOCOL.md §6: review.requested and review.recommended concern "units titled in the review
  // batches"; DOMAIN.md: the cap base counts units that "still hold the title".
  Ledger l;
  l.Open2023WithBatches();
  const std::vector<std::string> ids = Requested(l, "110000", 10);  // cap 7
  ASSERT_OK(l.RecommendReview("2023", ids[0]));
  ASSERT_OK(l.Publish("2023", {ids[0]}, fx::At("2023-10-20T00:00:00Z")));
  ASSERT_OK(l.FailReview("2023", ids[0], "other", "复核材料不实"));
  ASSERT_OK(l.Revoke("2023", ids[0], "review_failed"));
  ASSERT_OK(l.Assess("2018", ids[1], false));
  ASSERT_OK(l.Revoke("2023", ids[1], "assessment_failed"));
  EXPECT_TRUE(IsRule(l.RecommendReview("2023", ids[1]), "invalid_transition"));
  l.now = fx::At("2023-10-21T00:00:00Z");
  EXPECT_TRUE(IsRule(l.PassReview("2023", {ids[0]}), "invalid_transition"));
}

}  // namespace
}  // namespace pilotledger::projections

namespace pilotledger::projections {
namespace {

// One track per unit and campaign: a unit under review does not also apply, and vice versa, so
// that scores, spot checks and publications can only mean one thing.
TEST(ReviewTest, AUnitIsEitherReviewedOrApplyingInOneCampaign) {
  fx::Ledger l;
  l.Open2023WithBatches();
  const std::string reviewed = l.Titled("2017", "110000");
  ASSERT_OK(l.RequestReview("2023", reviewed));
  UnitDescriptor again = l.NewUnit("110000", "enterprise", "product");
  again.id = reviewed;
  EXPECT_TRUE(fx::IsRule(l.SubmitPassing("2023", again), "invalid_transition", {"is under review in campaign 2023"}));

  const std::string applied = l.Titled("2018", "120000");
  UnitDescriptor d = l.NewUnit("120000", "enterprise", "product");
  d.id = applied;
  ASSERT_OK(l.SubmitPassing("2023", d));
  EXPECT_TRUE(fx::IsRule(l.RequestReview("2023", applied), "invalid_transition", {"cannot also be reviewed"}));
}

}  // namespace
}  // namespace pilotledger::projections
