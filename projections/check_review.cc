// The rules of the review (复核) of titles: requests, recommendations within the review cap, and
// passing. Its evaluation (scores, spot checks, publication, objections) shares the selection's
// rules in check_units.cc.
#include "projections/internal/check_rules.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections::internal {

namespace {

// The authorities a review campaign knows: its region authorities and the registered SOE groups.
bool KnownAuthority(const State& state, const Campaign& c, const std::string& authority) {
  const std::string kind = c.rules.AuthorityKind(authority);
  if (kind != "soe_group") return !kind.empty();
  const Actor* g = state.FindActor(authority.substr(kSoeAuthorityPrefix.size()));
  return g && g->role == "soe_group";
}

}  // namespace

Status CheckRules(const RuleContext& x, const ReviewScope& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  const Campaign& c = *campaign;
  if (!c.rules.review) return Transition("campaign " + c.id + " reviews no titles");
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "the review list"));
  for (const auto& [authority, ids] : b.units) {
    if (!KnownAuthority(x.state, c, authority)) {
      return SchemaViolation("units." + authority, "campaign " + c.id + " has no recommending authority " + authority);
    }
    for (const std::string& id : ids) {
      PL_ASSIGN_OR_RETURN(const Unit* u, KnownUnit(x.state, id));
      if (u->d.authority != authority) {
        return Transition("unit " + id + " answers to authority " + u->d.authority + ", not " + authority);
      }
      if (!HoldsReviewedTitle(*u, c)) return Transition("unit " + id + " holds no title from the batches campaign " + c.id + " reviews");
      if (const auto seq = c.Listed(authority, id)) return Transition("unit " + id + " was put on the review list at " + Seq(*seq));
    }
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const ReviewRequirementsSet& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  const Campaign& c = *campaign;
  if (!c.rules.review) return Transition("campaign " + c.id + " reviews no titles");
  if (!KnownAuthority(x.state, c, b.authority)) {
    return SchemaViolation("authority", "campaign " + c.id + " has no recommending authority " + b.authority);
  }
  return Deadline(c, x.now, "review requirements");
}

Status CheckRules(const RuleContext& x, const ReviewRequested& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* unit, KnownUnit(x.state, b.unit_id));
  const Campaign& c = *campaign;
  if (!c.rules.review) return Transition("campaign " + c.id + " reviews no titles");
  if (!HoldsReviewedTitle(*unit, c)) {
    return Transition("unit " + b.unit_id + " holds no title from the batches campaign " + c.id + " reviews");
  }
  if (!c.Listed(unit->d.authority, unit->d.id)) {
    return Transition("unit " + b.unit_id + " is not on campaign " + c.id + "'s review list (review.scope, 附件2)");
  }
  PL_RETURN_IF_ERROR(CheckMetrics(b.metrics, unit->d.category, unit->d.subtype));
  for (size_t i = 0; i < b.scenarios.size(); ++i) {
    if (!c.rules.scenarios.empty() && !c.rules.HasScenario(b.scenarios[i])) {
      return SchemaViolation("scenarios[" + std::to_string(i) + "]", "campaign " + c.id + " has no scenario " + b.scenarios[i]);
    }
  }
  if (const auto req = c.review_requirements.find(unit->d.authority); req != c.review_requirements.end()) {
    PL_RETURN_IF_ERROR(RequireDocuments(x, req->second.documents,
                                        "authority " + unit->d.authority + "'s review requirements at " + Seq(req->second.seq)));
  }
  if (auto it = unit->reviews.find(c.id); it != unit->reviews.end()) {
    return Transition("unit " + b.unit_id + " already requested its review at " + Seq(it->second.requested_seq));
  }
  if (auto it = unit->applications.find(c.id); it != unit->applications.end() && c.rules.review->one_track) {
    return Transition("unit " + b.unit_id + " applied in campaign " + c.id + " at " + Seq(it->second.submitted_seq) +
                      " and cannot also be reviewed in it");
  }
  return Deadline(c, x.now, "review request");
}

Status CheckRules(const RuleContext& x, const ReviewRecommended& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* unit, KnownUnit(x.state, b.unit_id));
  const Campaign& c = *campaign;
  const auto r = unit->reviews.find(c.id);
  if (r == unit->reviews.end()) return Transition("unit " + b.unit_id + " has not requested a review in campaign " + c.id);
  if (r->second.recommended_seq) return Transition("unit " + b.unit_id + " was already recommended at " + Seq(*r->second.recommended_seq));
  if (!HoldsReviewedTitle(*unit, c)) return Transition("unit " + b.unit_id + "'s title under review has been revoked");
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "review recommendation"));
  PL_RETURN_IF_ERROR(CheckRecommendationChecks(x, c, b.checks));
  // The standard: the reviewing campaign's application conditions, judged on the review form, and
  // clear progress in the three areas the call names, as the authority found.
  Eligibility e = Evaluate(c.rules, unit->d.category, unit->d.subtype, r->second.metrics, r->second.scenarios);
  for (const auto& [area, f] : b.findings) {
    if (!f.progress) e.failed.push_back({"progress." + area, "", "the authority found no clear progress in " + area});
  }
  e.eligible = e.failed.empty();
  if (!e.eligible) return NotEligible(c, *unit, e, "for review");
  // The cap: a share of the authority's units under review, rounded down, plus any exception.
  const std::string& authority = unit->d.authority;
  const int64_t base = ReviewBase(x.state, c, authority);
  const int64_t cap = c.rules.review->cap_bp * base / 10000;
  const int64_t extra = c.Extra(authority, "review");
  const auto recommended = c.review_recommended.find(authority);
  const int64_t used = recommended != c.review_recommended.end() ? recommended->second : 0;
  if (used + 1 > cap + extra) {
    return RuleViolation(
        "review_cap_exceeded",
        "authority " + authority + " may recommend " + std::to_string(cap) + " of its " + std::to_string(base) +
            " units under review (" + std::to_string(c.rules.review->cap_bp / 100) + "%, rounded down)" +
            (extra ? " plus " + std::to_string(extra) + " by exception" : " and has no exception") + "; it has recommended " +
            std::to_string(used),
        {{"authority", authority}, {"base", base}, {"cap", cap}, {"extra", extra}, {"recommended", used}});
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const ReviewPassed& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  for (const std::string& id : b.unit_ids) {
    const Unit* u = x.state.FindUnit(id);
    if (!u) return RuleViolation("unknown_unit", "no unit " + id);
    const auto r = u->reviews.find(b.campaign);
    if (r == u->reviews.end() || !r->second.recommended_seq) {
      return Transition("unit " + id + " was not recommended for review in campaign " + b.campaign);
    }
    if (r->second.passed_seq) return Transition("unit " + id + " already passed the review at " + Seq(*r->second.passed_seq));
    if (r->second.refusal) return Transition("unit " + id + " failed its review at " + Seq(r->second.refusal->seq));
    if (!HoldsReviewedTitle(*u, *campaign)) return Transition("unit " + id + "'s title under review has been revoked");
    PL_RETURN_IF_ERROR(CheckAnnounceable(x, b.campaign, *u, r->second));
  }
  return Status::Ok();
}

}  // namespace pilotledger::projections::internal
