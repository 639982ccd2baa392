#pragma once

// The rule checks of each event type, Check's last step after the signatures, the policy and the
// body (PROTOCOL.md §7): one CheckRules per body type, in one file per area. Private to projections.

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

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

// `refusal` of an event about a campaign whose rules are provisional, saying so: details.provisional
// = true and a note in the message. Other refusals are returned as they are.
Status UnderProvisionalRules(const RuleContext& x, const Body& body, Status refusal);
// An invalid_transition rule violation.
Status Transition(const std::string& message);
// "entry <seq>", for messages.
std::string Seq(uint64_t seq);

// check.cc: refused before any rule (the genesis entry is never appended).
Status CheckRules(const RuleContext& x, const Genesis& b);
Status CheckRules(const RuleContext& x, const KeyRotated& b);

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

// check_outcomes.cc: every recommended unit's outcome, and the end of a round.
Status CheckRules(const RuleContext& x, const ApplicationRejected& b);
Status CheckRules(const RuleContext& x, const ReviewFailed& b);
Status CheckRules(const RuleContext& x, const CampaignClosed& b);
Status CheckRules(const RuleContext& x, const AssessmentRecorded& b);
// The units with a recommended track in `c` and no outcome yet.
std::vector<std::string> OpenOutcomes(const State& state, const Campaign& c);

// The authority's checks a recommendation records: every method the rules require, each dated no
// later than the day (UTC+8) the ledger receives it. Errors: schema_violation (checks).
Status CheckRecommendationChecks(const RuleContext& x, const Campaign& c, const std::vector<CheckRecord>& checks);

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

// Checks every event runs before its type's rules (check.cc).

// A closed campaign takes nothing but revocations (and assessments of its titles).
template <class B>
Status CheckOpenRound(const RuleContext& x, const B& b) {
  if constexpr (requires { b.campaign; }) {
    if constexpr (!std::is_same_v<B, TitleRevoked> && !std::is_same_v<B, CampaignOpened> && !std::is_same_v<B, AssessmentRecorded>) {
      const Campaign* c = x.state.FindCampaign(b.campaign);
      if (c && c->closed_seq) {
        return Transition("campaign " + c->id + " was closed at " + Seq(*c->closed_seq) + "; only revocations touch it now");
      }
    }
  }
  return Status::Ok();
}

// The documents the campaign's rules require of this event type (rules `documents`): a missing one
// is schema_violation naming it.
template <class B>
Status CheckRequiredDocuments(const RuleContext& x, const B& b) {
  if constexpr (requires { b.campaign; }) {
    const Campaign* c = x.state.FindCampaign(b.campaign);
    if (!c) return Status::Ok();
    if (const auto it = c->rules.documents.find(x.event.type); it != c->rules.documents.end()) {
      return RequireDocuments(x, it->second, "campaign " + c->id + "'s rules (documents)");
    }
  }
  return Status::Ok();
}

}  // namespace pilotledger::projections::internal
