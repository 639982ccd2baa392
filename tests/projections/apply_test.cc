// Apply on entries that refer to something the state does not hold (which Check would refuse and a
// verified log never contains): it answers kDataLoss naming what is missing, throws nothing, and
// leaves the state as it was.
#include "projections/snapshot.h"
#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::Ledger;

TEST(ApplyTest, AnEntryReferringToNothingChangesNothingAndSaysWhatIsMissing) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string submitted = l.AddUnit("2023", "440000", "enterprise");
  const std::string recommended = l.AddRecommended("2023", "440000", "street");
  const std::string unknown = l.NewUnit("440000", "enterprise").id;
  struct Case {
    std::string type;
    Json body;
    std::string missing;
  };
  const Case cases[] = {
      {"actor.revoked", {{"actor", "ghost"}}, "no actor ghost"},
      {"quota.exception",
       {{"campaign", "2099"}, {"authority", "440000"}, {"category", "enterprise"}, {"extra", 1}, {"reason", "approved"}},
       "no campaign 2099"},
      {"recommendation.issued", {{"campaign", "2023"}, {"unit_id", unknown}}, "no unit " + unknown},
      {"recommendation.issued", {{"campaign", "2020"}, {"unit_id", submitted}}, "no application of unit " + submitted + " in campaign 2020"},
      {"score.recorded", {{"campaign", "2023"}, {"unit_id", submitted}, {"score", 90}}, "no evaluation of unit " + submitted + " in campaign 2023"},
      {"review.recommended", {{"campaign", "2023"}, {"unit_id", submitted}, {"findings", Ledger::Findings()}},
       "no review of unit " + submitted + " in campaign 2023"},
      {"review.scope", {{"campaign", "2023"}, {"units", {{"440000", {submitted, unknown}}}}}, "no unit " + unknown},
      {"review.requirements", {{"campaign", "2099"}, {"authority", "440000"}, {"required_documents", {"材料"}}}, "no campaign 2099"},
      {"objection.resolved", {{"campaign", "2023"}, {"objection", 999}, {"upheld", false}}, "no objection at entry 999"},
      // The first unit could be published: nothing is, since the second cannot.
      {"publication.issued",
       {{"campaign", "2023"}, {"units", {recommended, unknown}}, {"objection_deadline", "2023-11-01T00:00:00Z"}},
       "no unit " + unknown},
      {"review.passed", {{"campaign", "2023"}, {"units", {unknown}}}, "no unit " + unknown},
  };
  const Json before = StateToJson(l.state);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type + " " + c.body.dump());
    const Entry entry{l.state.size, l.now, l.Make(c.type, c.body, {})};
    const Status s = Apply(l.state, entry);
    EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
    EXPECT_EQ(s.message(), "entry " + std::to_string(entry.seq) + " refers to something the log does not hold: " + c.missing);
    EXPECT_EQ(StateToJson(l.state), before);
  }
}

}  // namespace
}  // namespace pilotledger::projections
