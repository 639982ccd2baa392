// The outcome of every recommended unit: application.rejected and review.failed with a reason that
// fits the record, and campaign.closed, refused while a recommended unit has none (docs/rules.md,
// "Outcomes").
#include <algorithm>

#include "projections/internal/check_rules.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections::internal {
namespace {

bool SignedByUnitSide(const RuleContext& x, const Unit& u) {
  for (const Signature& sig : x.event.sigs) {
    const Actor* a = x.state.FindActor(sig.signer);
    if (!a) continue;
    if (a->role == "applicant" && a->unit == u.d.id) return true;
    if ((a->role == "provincial" || a->role == "soe_group") && a->authority() == u.d.authority) return true;
  }
  return false;
}

// Whether `reason` fits what the log holds about track `t` of unit `u` in campaign `c`.
Status FitsTheRecord(const RuleContext& x, const Campaign& c, const Unit& u, const Track& t, const Json& metrics,
                     const std::vector<std::string>& scenarios, const std::string& reason) {
  const std::string who = "unit " + u.d.id;
  if (reason == "score_below_line") {
    const int64_t required = c.rules.scoring ? c.rules.scoring->scores_required : 0;
    if (t.scores.empty() || int64_t(t.scores.size()) < required) {
      return Transition("score_below_line needs the expert scores: " + who + " has " + std::to_string(t.scores.size()) + " of the " +
                        std::to_string(std::max<int64_t>(required, 1)) + " campaign " + c.id + " requires");
    }
  } else if (reason == "spot_check_failed") {
    if (!t.FailedSpotCheck()) return Transition("spot_check_failed needs a failed spot check, and " + who + " has none in campaign " + c.id);
  } else if (reason == "objection_upheld") {
    if (!t.HasUpheldObjection()) return Transition("objection_upheld needs an upheld objection, and " + who + " has none in campaign " + c.id);
  } else if (reason == "not_eligible") {
    if (Evaluate(c.rules, u.d.category, u.d.subtype, metrics, scenarios).eligible) {
      return Transition("not_eligible needs a failed criterion, and " + who + " meets every criterion of campaign " + c.id + "'s rules");
    }
  } else if (reason == "withdrawn") {
    if (!SignedByUnitSide(x, u)) {
      return Transition("withdrawn needs the co-signature of " + who + "'s applicant, its authority's department or its SOE group");
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> OpenOutcomes(const State& state, const Campaign& c) {
  std::vector<std::string> open;
  for (const auto& [id, u] : state.units) {
    if (const auto a = u.applications.find(c.id); a != u.applications.end() && a->second.recommended_seq) {
      if (!a->second.granted_seq && !a->second.refusal) open.push_back(id);
    }
    if (const auto r = u.reviews.find(c.id); r != u.reviews.end() && r->second.recommended_seq) {
      if (!r->second.passed_seq && !r->second.refusal && HoldsReviewedTitle(u, c)) open.push_back(id);
    }
  }
  return open;
}

Status CheckRules(const RuleContext& x, const ApplicationRejected& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* c, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* u, KnownUnit(x.state, b.unit_id));
  const auto a = u->applications.find(c->id);
  if (a == u->applications.end() || !a->second.recommended_seq) {
    return Transition("unit " + b.unit_id + " was not recommended in campaign " + c->id + ", so it has no selection to lose");
  }
  if (a->second.granted_seq) return Transition("unit " + b.unit_id + " was granted its title at " + Seq(*a->second.granted_seq));
  if (a->second.refusal) return Transition("unit " + b.unit_id + " was already rejected at " + Seq(a->second.refusal->seq));
  return FitsTheRecord(x, *c, *u, a->second, a->second.metrics, a->second.scenarios, b.reason);
}

Status CheckRules(const RuleContext& x, const ReviewFailed& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* c, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* u, KnownUnit(x.state, b.unit_id));
  const auto r = u->reviews.find(c->id);
  if (r == u->reviews.end() || !r->second.recommended_seq) {
    return Transition("unit " + b.unit_id + " was not recommended for review in campaign " + c->id);
  }
  if (r->second.passed_seq) return Transition("unit " + b.unit_id + " passed its review at " + Seq(*r->second.passed_seq));
  if (r->second.refusal) return Transition("unit " + b.unit_id + " already failed its review at " + Seq(r->second.refusal->seq));
  return FitsTheRecord(x, *c, *u, r->second, r->second.metrics, r->second.scenarios, b.reason);
}

Status CheckRules(const RuleContext& x, const AssessmentRecorded& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* c, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* u, KnownUnit(x.state, b.unit_id));
  const auto t = u->titles.find(c->id);
  if (t == u->titles.end() || !t->second.active()) {
    return Transition("unit " + b.unit_id + " holds no active title of campaign " + c->id + " to assess");
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const CampaignClosed& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* c, OpenedCampaign(x.state, b.campaign));
  const std::vector<std::string> open = OpenOutcomes(x.state, *c);
  if (!open.empty()) {
    std::string list;
    for (size_t i = 0; i < open.size() && i < 5; ++i) list += (i ? ", " : "") + open[i];
    return RuleViolation("invalid_transition",
                         "campaign " + c->id + " cannot close: " + std::to_string(open.size()) + " recommended unit" +
                             (open.size() == 1 ? " has" : "s have") + " no outcome yet (" + list + (open.size() > 5 ? ", …" : "") + ")",
                         {{"open", open}});
  }
  return Status::Ok();
}

}  // namespace pilotledger::projections::internal
