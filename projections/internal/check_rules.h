#pragma once

// The rule checks of each event type, Check's last step after the signatures, the policy and the
// body (PROTOCOL.md §7): one CheckRules per body type, in one file per area. Private to projections.

#include <cstdint>
#include <string>

#include "ledger/event.h"
#include "ledger/status.h"
#include "ledger/timestamp.h"
#include "projections/bodies.h"
#include "projections/state.h"

namespace pilotledger::projections::internal {

// What every rule check reads. Borrows all three for the duration of one Check.
struct RuleContext {
  const State& state;
  const SignedEvent& event;
  Timestamp now;
};

// An invalid_transition rule violation.
Status Transition(const std::string& message);
// "entry <seq>", for messages.
std::string Seq(uint64_t seq);

// check.cc: refused before any rule (the genesis entry is never appended).
Status CheckRules(const RuleContext& x, const Genesis& b);

// check_actors.cc
Status CheckRules(const RuleContext& x, const ActorRegistered& b);
Status CheckRules(const RuleContext& x, const ActorRevoked& b);

// check_campaigns.cc
Status CheckRules(const RuleContext& x, const CampaignOpened& b);
Status CheckRules(const RuleContext& x, const CampaignAmended& b);
Status CheckRules(const RuleContext& x, const QuotaExceptionGranted& b);

// check_units.cc: submissions, recommendations within quotas, the national evaluation,
// publication and objections, grants, revocation.
Status CheckRules(const RuleContext& x, const SubmissionFiled& b);
Status CheckRules(const RuleContext& x, const RecommendationIssued& b);
Status CheckRules(const RuleContext& x, const ScoreRecorded& b);
Status CheckRules(const RuleContext& x, const SpotcheckRecorded& b);
Status CheckRules(const RuleContext& x, const ObjectionFiled& b);
Status CheckRules(const RuleContext& x, const PublicationIssued& b);
Status CheckRules(const RuleContext& x, const ObjectionResolved& b);
Status CheckRules(const RuleContext& x, const TitleGranted& b);
Status CheckRules(const RuleContext& x, const TitleRevoked& b);

// check_review.cc: the review of titles and its cap.
Status CheckRules(const RuleContext& x, const ReviewRequested& b);
Status CheckRules(const RuleContext& x, const ReviewRecommended& b);
Status CheckRules(const RuleContext& x, const ReviewPassed& b);
Status CheckRules(const RuleContext& x, const ReviewScope& b);
Status CheckRules(const RuleContext& x, const ReviewRequirementsSet& b);

// Shared by the unit and review rules (check_units.cc).

// The campaign `id`; unknown_campaign if it has not been opened.
Result<const Campaign*> OpenedCampaign(const State& state, const std::string& id);
// The unit `id`; unknown_unit if no entry has mentioned it.
Result<const Unit*> KnownUnit(const State& state, const std::string& id);
// deadline_passed if campaign `c` has a deadline and `now` is after it; `what` names the step.
Status Deadline(const Campaign& c, Timestamp now, const std::string& what);
// Whether `u` holds an active title from one of the batches review campaign `c` reviews.
bool HoldsReviewedTitle(const Unit& u, const Campaign& c);
// schema_violation (field "documents") naming the first of `names` that the event's documents do
// not name; `why` says which rule requires it.
Status RequireDocuments(const RuleContext& x, const std::vector<std::string>& names, const std::string& why);
// not_eligible for unit `u` in campaign `c`, naming every failed criterion in details.failed;
// `what` says for what ("" for a recommendation, "for review").
Status NotEligible(const Campaign& c, const Unit& u, const Eligibility& e, const std::string& what);
// A published, undisputed unit whose objection period is over: what granting and passing need.
Status CheckAnnounceable(const RuleContext& x, const std::string& campaign, const Unit& u, const Track& t);

}  // namespace pilotledger::projections::internal
