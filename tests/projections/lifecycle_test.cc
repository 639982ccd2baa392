// The selection lifecycle (submission → recommendation → evaluation → publication → objections →
// title), each transition allowed and refused, and the deadlines (PROTOCOL.md §6, DOMAIN.md).
#include <functional>

#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::At;
using fx::IsCode;
using fx::IsRule;
using fx::IsSchema;
using fx::Ledger;

const Timestamp kObjectionDeadline = At("2023-10-20T00:00:00Z");
const Timestamp kAfter = At("2023-10-20T00:00:00.001Z");

// A recommended unit of Guangdong on the published list with objections until kObjectionDeadline.
std::string Published(Ledger& l) {
  const std::string id = l.AddRecommended("2023", "440000", "enterprise");
  EXPECT_OK(l.Publish("2023", {id}, kObjectionDeadline));
  return id;
}

struct Case {
  std::string name;
  std::function<Status(Ledger&)> run;  // sets up a fresh ledger (2017–2020 and 2023 open) and returns the last status
  std::string rule;                    // empty: accepted
  std::vector<std::string> message = {};
};

const std::vector<Case>& SelectionCases() {
  static const std::vector<Case> cases = {
      {"score for a unit never recommended",
       [](Ledger& l) { return l.Score("2023", l.AddUnit("2023", "440000", "street"), 80); },
       "invalid_transition", {"score.recorded for unit ", ", which was never recommended in campaign 2023"}},
      {"spot check for a unit never recommended",
       [](Ledger& l) { return l.SpotCheck("2023", l.AddUnit("2023", "440000", "street"), true); }, "invalid_transition",
       {"spotcheck.recorded for unit "}},
      {"score for an unknown unit", [](Ledger& l) { return l.Score("2023", fx::Uscc("440100", 999), 80); }, "unknown_unit",
       {"no unit " + fx::Uscc("440100", 999) + " has applied or holds a title"}},
      {"recommendation twice",
       [](Ledger& l) { return l.Recommend("2023", l.AddRecommended("2023", "440000", "base")); }, "invalid_transition",
       {"was already recommended at entry"}},
      {"recommendation of a titled unit that never applied",
       [](Ledger& l) { return l.Recommend("2023", l.Titled("2017", "440000")); }, "invalid_transition",
       {"has not applied in campaign 2023"}},
      {"recommendation in a campaign never opened",
       [](Ledger& l) { return l.Recommend("2022", l.AddUnit("2023", "440000", "park")); }, "unknown_campaign",
       {"no campaign 2022 has been opened"}},
      {"submission twice in one campaign",
       [](Ledger& l) {
         const UnitDescriptor u = l.NewUnit("440000", "park");
         EXPECT_OK(l.SubmitPassing("2023", u));
         return l.SubmitPassing("2023", u);
       },
       "invalid_transition", {"already applied in campaign 2023 at entry"}},
      {"submission to a historical campaign",
       [](Ledger& l) { return l.Submit("2017", l.NewUnit("440000", "enterprise"), fx::PassingMetrics("enterprise", "product"), {}); },
       "invalid_transition", {"campaign 2017 is historical: its titles are imported with title.granted"}},
      {"publication of an unrecommended unit",
       [](Ledger& l) { return l.Publish("2023", {l.AddUnit("2023", "440000", "street")}, kObjectionDeadline); },
       "invalid_transition", {"was never recommended in campaign 2023"}},
      {"publication of an unknown unit", [](Ledger& l) { return l.Publish("2023", {fx::Uscc("440100", 999)}, kObjectionDeadline); },
       "unknown_unit"},
      {"publication with a past objection deadline",
       [](Ledger& l) { return l.Publish("2023", {l.AddRecommended("2023", "440000", "street")}, fx::Plus(l.now, -1000)); },
       "invalid_transition", {"the objection deadline 2023-10-15T07:59:59.000Z has already passed"}},
      {"publication with the objection deadline now",
       [](Ledger& l) { return l.Publish("2023", {l.AddRecommended("2023", "440000", "street")}, l.now); }, "invalid_transition",
       {"has already passed"}},
      {"publication twice", [](Ledger& l) { return l.Publish("2023", {Published(l)}, kObjectionDeadline); }, "invalid_transition",
       {"was already published at entry"}},
      {"objection to an unpublished unit", [](Ledger& l) { return l.Object("2023", l.AddRecommended("2023", "440000", "street")); },
       "invalid_transition", {"is not on a published list in campaign 2023"}},
      {"objection at the objection deadline",
       [](Ledger& l) {
         const std::string id = Published(l);
         l.now = kObjectionDeadline;
         return l.Object("2023", id);
       },
       ""},
      {"objection after the objection deadline",
       [](Ledger& l) {
         const std::string id = Published(l);
         l.now = kAfter;
         return l.Object("2023", id);
       },
       "deadline_passed", {"closed at 2023-10-20T00:00:00.000Z"}},
      {"title granted at the objection deadline",
       [](Ledger& l) {
         const std::string id = Published(l);
         l.now = kObjectionDeadline;
         return l.Grant("2023", {id});
       },
       "invalid_transition", {"objection period runs until 2023-10-20T00:00:00.000Z"}},
      {"title granted with an objection open",
       [](Ledger& l) {
         const std::string id = Published(l);
         EXPECT_OK(l.Object("2023", id));
         l.now = kAfter;
         return l.Grant("2023", {id});
       },
       "invalid_transition", {"is still open"}},
      {"title granted with an objection upheld",
       [](Ledger& l) {
         const std::string id = Published(l);
         EXPECT_OK(l.Object("2023", id));
         EXPECT_OK(l.Resolve("2023", l.last_seq(), true));
         l.now = kAfter;
         return l.Grant("2023", {id});
       },
       "invalid_transition", {"was upheld"}},
      {"title granted after the objection was resolved not upheld",
       [](Ledger& l) {
         const std::string id = Published(l);
         EXPECT_OK(l.Object("2023", id));
         EXPECT_OK(l.Resolve("2023", l.last_seq(), false));
         l.now = kAfter;
         return l.Grant("2023", {id});
       },
       ""},
      {"title granted twice",
       [](Ledger& l) {
         const std::string id = Published(l);
         l.now = kAfter;
         EXPECT_OK(l.Grant("2023", {id}));
         return l.Grant("2023", {id});
       },
       "invalid_transition", {"was already granted at entry"}},
      {"title granted after a failed spot check",
       [](Ledger& l) {
         const std::string id = Published(l);
         EXPECT_OK(l.SpotCheck("2023", id, false));
         l.now = kAfter;
         return l.Grant("2023", {id});
       },
       "invalid_transition", {"failed the spot check at entry"}},
      {"title granted after a passed spot check",
       [](Ledger& l) {
         const std::string id = Published(l);
         EXPECT_OK(l.SpotCheck("2023", id, true));
         l.now = kAfter;
         return l.Grant("2023", {id});
       },
       ""},
      {"title granted to a unit never recommended",
       [](Ledger& l) {
         const std::string id = l.AddUnit("2023", "440000", "street");
         l.now = kAfter;
         return l.Grant("2023", {id});
       },
       "invalid_transition", {"was never recommended in campaign 2023"}},
      {"title granted to an unknown unit", [](Ledger& l) { return l.Grant("2023", {fx::Uscc("440100", 999)}); }, "unknown_unit"},
      {"score after the decision",
       [](Ledger& l) {
         const std::string id = Published(l);
         l.now = kAfter;
         EXPECT_OK(l.Grant("2023", {id}));
         return l.Score("2023", id, 70);
       },
       "invalid_transition", {"evaluation in campaign 2023 is already decided"}},
      {"score twice by one expert",
       [](Ledger& l) {
         const std::string id = l.AddRecommended("2023", "440000", "street");
         EXPECT_OK(l.Score("2023", id, 80));
         return l.Score("2023", id, 85);
       },
       "invalid_transition", {"expert expert1 already scored unit"}},
      {"scores by two experts",
       [](Ledger& l) {
         const std::string id = l.AddRecommended("2023", "440000", "street");
         EXPECT_OK(l.Score("2023", id, 80));
         return l.Score("2023", id, 85, "expert2");
       },
       ""},
      {"objection resolved twice",
       [](Ledger& l) {
         EXPECT_OK(l.Object("2023", Published(l)));
         const uint64_t seq = l.last_seq();
         EXPECT_OK(l.Resolve("2023", seq, false));
         return l.Resolve("2023", seq, true);
       },
       "invalid_transition", {"was resolved at entry"}},
      {"resolving an entry that is no objection", [](Ledger& l) { return l.Resolve("2023", 3, false); }, "invalid_transition",
       {"there is no objection at entry 3"}},
      {"recommendation at the deadline's last millisecond",
       [](Ledger& l) {
         const std::string id = l.AddUnit("2023", "440000", "street");
         l.now = At("2023-10-31T23:59:59+08:00");
         return l.Recommend("2023", id);
       },
       ""},
      {"recommendation one millisecond after the deadline",
       [](Ledger& l) {
         const std::string id = l.AddUnit("2023", "440000", "street");
         l.now = At("2023-10-31T23:59:59.001+08:00");
         return l.Recommend("2023", id);
       },
       "deadline_passed",
       {"recommendation in campaign 2023 closed at 2023-10-31T23:59:59+08:00; the ledger received it at 2023-10-31T15:59:59.001Z"}},
  };
  return cases;
}

TEST(LifecycleTest, EverySelectionTransitionIsAllowedOrRefusedAsSpecified) {
  for (const Case& c : SelectionCases()) {
    SCOPED_TRACE(c.name);
    Ledger l;
    l.Open2023WithBatches();
    const Status s = c.run(l);
    if (c.rule.empty()) {
      EXPECT_OK(s);
    } else {
      EXPECT_TRUE(IsRule(s, c.rule, c.message));
    }
  }
}

TEST(LifecycleTest, TheRecommendationDeadlineIsInTheDetails) {
  struct DeadlineCase {
    std::string campaign, open_time, late_time, deadline;
  };
  for (const DeadlineCase& c : std::vector<DeadlineCase>{
           {"2021", "2021-11-01T08:00:00Z", "2021-11-30T16:00:00Z", "2021-11-30T23:59:59+08:00"},
           {"2023", "2023-10-15T08:00:00Z", "2023-11-01T00:00:00Z", "2023-10-31T23:59:59+08:00"}}) {
    Ledger l(At(c.open_time));
    if (c.campaign == "2023") {
      l.Open2023WithBatches();
    } else {
      ASSERT_OK(l.Open(c.campaign));
    }
    const std::string id = l.AddUnit(c.campaign, "660000", "base");
    l.now = At(c.late_time);
    const Status s = l.Recommend(c.campaign, id);
    ASSERT_TRUE(IsRule(s, "deadline_passed"));
    EXPECT_EQ(s.details()["deadline"], c.deadline);
    EXPECT_EQ(s.details()["received"], FormatRfc3339Millis(At(c.late_time)));
  }
}

TEST(LifecycleTest, AUnitGoesFromSubmissionToTitleAndTheViewFollows) {
  Ledger l;
  l.Open2023WithBatches();
  const UnitDescriptor u = l.NewUnit("440300", "street");
  ASSERT_OK(l.SubmitPassing("2023", u));
  const uint64_t submitted = l.last_seq();
  EXPECT_EQ(l.UnitJson(u.id)["status"], "submitted");
  ASSERT_OK(l.Recommend("2023", u.id));
  EXPECT_EQ(l.UnitJson(u.id)["status"], "recommended");
  ASSERT_OK(l.Score("2023", u.id, 80));
  ASSERT_OK(l.Score("2023", u.id, 95, "expert2"));
  ASSERT_OK(l.SpotCheck("2023", u.id, true));
  ASSERT_OK(l.Publish("2023", {u.id}, kObjectionDeadline));
  EXPECT_EQ(l.UnitJson(u.id)["status"], "published");
  l.now = kAfter;
  ASSERT_OK(l.Grant("2023", {u.id}));
  const Json v = l.UnitJson(u.id);
  EXPECT_EQ(v["status"], "titled");
  EXPECT_EQ(v["id"], u.id);
  EXPECT_EQ(v["authority"], "440300");
  EXPECT_EQ(v["titles"]["2023"], (Json{{"granted_seq", l.last_seq()}, {"active", true}}));
  EXPECT_EQ(v["applications"]["2023"]["state"], "granted");
  EXPECT_EQ(v["applications"]["2023"]["submitted_seq"], submitted);
  EXPECT_EQ(v["applications"]["2023"]["mean_score_x100"], 8500) << "80, 95 and the fixture's third score (80) before publication";
  EXPECT_EQ(v["applications"]["2023"]["objection_deadline"], "2023-10-20T00:00:00.000Z");
  EXPECT_EQ(v["history"].size(), 8u);
  EXPECT_EQ(l.UnitJson(u.id, false)["history"].size(), 2u) << "only publication and title are public";
}

TEST(LifecycleTest, AnUpheldObjectionRejectsTheApplication) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string id = Published(l);
  ASSERT_OK(l.Object("2023", id));
  ASSERT_OK(l.Resolve("2023", l.last_seq(), true));
  EXPECT_EQ(l.UnitJson(id)["status"], "rejected");
  EXPECT_TRUE(IsRule(l.Score("2023", id, 60), "invalid_transition", {"already decided"}));
}

TEST(LifecycleTest, ActorAndCampaignTransitions) {
  struct ActorCase {
    std::string name;
    std::function<Status(Ledger&)> run;
    Code code;
    std::string rule_or_field;
    std::vector<std::string> message = {};
  };
  const std::vector<ActorCase> cases = {
      {"campaign opened twice", [](Ledger& l) { return l.Open("2017"); }, Code::kRuleViolation, "invalid_transition",
       {"campaign 2017 was already opened at entry 1"}},
      {"review campaign opened before its batches",
       [](Ledger&) {
         Ledger fresh;
         return fresh.Open("2023");
       },
       Code::kRuleViolation, "unknown_campaign", {"the review covers campaign 2017, which has not been opened"}},
      {"amendment making a campaign historical",
       [](Ledger& l) {
         Json rules = fx::CampaignRules("2023");
         rules["historical"] = true;
         return l.Append("campaign.amended", {{"campaign", "2023"}, {"rules", rules}}, Ledger::Ministries());
       },
       Code::kRuleViolation, "invalid_transition", {"cannot change whether campaign 2023 is historical"}},
      {"amendment of a campaign never opened",
       [](Ledger& l) { return l.Append("campaign.amended", {{"campaign", "2021"}, {"rules", fx::CampaignRules("2021")}}, Ledger::Ministries()); },
       Code::kRuleViolation, "unknown_campaign"},
      {"rules of another campaign",
       [](Ledger& l) { return l.Append("campaign.opened", {{"campaign", "2024"}, {"rules", fx::CampaignRules("2021")}}, Ledger::Ministries()); },
       Code::kSchemaViolation, "rules.campaign"},
      {"actor registered twice", [](Ledger& l) { return l.Register("expert1", "expert"); }, Code::kRuleViolation,
       "invalid_transition", {"actor expert1 is already registered"}},
      {"a key registered to two actors",
       [](Ledger& l) {
         return l.Append("actor.registered",
                         {{"actor", "expert9"}, {"role", "expert"}, {"name", "X"}, {"public_key", l.Key("expert1").public_key().ToBase64()}},
                         {"miit"});
       },
       Code::kRuleViolation, "invalid_transition", {"the public key is already registered to actor expert1"}},
      {"revoking an unknown actor", [](Ledger& l) { return l.Append("actor.revoked", {{"actor", "ghost"}}, {"miit"}); },
       Code::kRuleViolation, "invalid_transition", {"no actor ghost to revoke"}},
      {"revoking a revoked actor",
       [](Ledger& l) {
         EXPECT_OK(l.Append("actor.revoked", {{"actor", "expert1"}, {"reason", "left"}}, {"miit"}));
         return l.Append("actor.revoked", {{"actor", "expert1"}}, {"mca"});
       },
       Code::kRuleViolation, "invalid_transition", {"actor expert1 was already revoked at entry"}},
      {"a quota exception in a historical campaign", [](Ledger& l) { return l.Exception("2018", "440000", "enterprise"); },
       Code::kRuleViolation, "invalid_transition", {"campaign 2018 is historical and has no quotas"}},
      {"a historical title granted twice",
       [](Ledger& l) {
         const std::string id = l.Titled("2017", "440000");
         return l.Append("title.granted", {{"campaign", "2017"}, {"units", Json::array({UnitDescriptorJson(l.state.FindUnit(id)->d)})}},
                         Ledger::Ministries());
       },
       Code::kRuleViolation, "invalid_transition", {"already holds a title of campaign 2017"}},
      {"a historical title for a park (no parks before 2021)",
       [](Ledger& l) {
         return l.Append("title.granted", {{"campaign", "2019"}, {"units", Json::array({UnitDescriptorJson(l.NewUnit("440000", "park"))})}},
                         Ledger::Ministries());
       },
       Code::kSchemaViolation, "units[0].category", {"campaign 2019 has no category park"}},
      {"a historical grant by unit id",
       [](Ledger& l) { return l.Grant("2019", {fx::Uscc("440100", 999)}); }, Code::kSchemaViolation, "units",
       {"a historical grant lists unit descriptors"}},
      {"a selection grant by descriptor",
       [](Ledger& l) {
         return l.Append("title.granted", {{"campaign", "2023"}, {"units", Json::array({UnitDescriptorJson(l.NewUnit("440000", "park"))})}},
                         Ledger::Ministries());
       },
       Code::kSchemaViolation, "units", {"campaign 2023 grants titles to unit ids"}},
      {"the genesis type appended", [](Ledger& l) { return l.Append("ledger.genesis", Json::object(), Ledger::Ministries()); },
       Code::kForbidden, "", {"the genesis entry is written by init"}},
  };
  for (const ActorCase& c : cases) {
    SCOPED_TRACE(c.name);
    Ledger l;
    l.Open2023WithBatches();
    l.Expert("expert1");
    const Status s = c.run(l);
    if (c.code == Code::kRuleViolation) {
      EXPECT_TRUE(IsRule(s, c.rule_or_field, c.message));
    } else if (c.code == Code::kSchemaViolation) {
      EXPECT_TRUE(IsSchema(s, c.rule_or_field, c.message));
    } else {
      EXPECT_TRUE(IsCode(s, c.code, c.message));
    }
  }
}

}  // namespace
}  // namespace pilotledger::projections
