// The rules of the unit lifecycle: submissions, recommendations within quotas, the national
// evaluation, publication and objections, titles, the review and its cap, revocation.
#include <algorithm>

#include "projections/bodies.h"
#include "projections/check.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections::internal {
namespace {

Status Transition(const std::string& message) { return RuleViolation("invalid_transition", message); }

std::string Seq(uint64_t seq) { return "entry " + std::to_string(seq); }

Status Deadline(const Campaign& c, Timestamp now, const std::string& what) {
  if (c.rules.deadline && now > *c.rules.deadline) {
    return RuleViolation("deadline_passed",
                         what + " in campaign " + c.id + " closed at " + c.rules.deadline_text + "; the ledger received it at " +
                             FormatRfc3339Millis(now),
                         {{"deadline", c.rules.deadline_text}, {"received", FormatRfc3339Millis(now)}});
  }
  return Status::Ok();
}

// A region lies within an authority: the province's own units, not those of its separately
// planned city (which recommends its own); the city's; the XPCC's (its cities are 659xxx).
bool RegionWithin(const CampaignRules& rules, const std::string& region, const std::string& authority) {
  if (authority.rfind(kSoeAuthorityPrefix, 0) == 0) return true;
  if (authority == "660000") return region.rfind("66", 0) == 0 || region.rfind("659", 0) == 0;
  if (rules.AuthorityKind(authority) == "planned_city_or_xpcc") return region.substr(0, 4) == authority.substr(0, 4);
  if (region.substr(0, 2) != authority.substr(0, 2)) return false;
  for (const auto& [code, kind] : rules.authority_kinds) {
    if (kind == "planned_city_or_xpcc" && code != "660000" && region.substr(0, 4) == code.substr(0, 4)) return false;
  }
  if (authority == "650000" && region.rfind("659", 0) == 0) return false;  // XPCC cities
  return true;
}

Status CheckDescriptor(const State& state, const CampaignRules& rules, const UnitDescriptor& d, const std::string& where) {
  if (!rules.HasCategory(d.category)) {
    return SchemaViolation(where + ".category", "campaign " + rules.campaign + " has no category " + d.category);
  }
  if (!d.subtype.empty() && !rules.subtypes.empty() && !rules.HasSubtype(d.subtype)) {
    return SchemaViolation(where + ".subtype", "campaign " + rules.campaign + " has no enterprise subtype " + d.subtype);
  }
  const std::string kind = rules.AuthorityKind(d.authority);
  if (kind == "soe_group") {
    const Actor* g = state.FindActor(d.authority.substr(kSoeAuthorityPrefix.size()));
    if (!g || g->role != "soe_group") return SchemaViolation(where + ".authority", d.authority + " is not a registered SOE group");
  } else if (kind.empty() && !rules.authority_kinds.empty()) {
    return SchemaViolation(where + ".authority", "campaign " + rules.campaign + " has no recommending authority " + d.authority);
  }
  if (!rules.authority_kinds.empty() && !RegionWithin(rules, d.region, d.authority)) {
    return SchemaViolation(where + ".region", "region " + d.region + " of unit " + d.id + " is not under authority " + d.authority);
  }
  return Status::Ok();
}

struct Ctx {
  const State& state;
  const SignedEvent& event;
  const Body& b;
  Timestamp now;
  const Campaign* campaign = nullptr;
  const Unit* unit = nullptr;
};

// The track (selection or review) of `unit` in the campaign that the evaluation events concern.
const Track* EvaluationTrack(const Ctx& x, const Unit& u, bool& review) {
  if (auto it = u.applications.find(x.b.campaign); it != u.applications.end() && it->second.recommended_seq) {
    review = false;
    return &it->second;
  }
  if (auto it = u.reviews.find(x.b.campaign); it != u.reviews.end() && it->second.recommended_seq) {
    review = true;
    return &it->second;
  }
  return nullptr;
}

bool Decided(const Unit& u, const std::string& campaign, bool review) {
  if (review) {
    const Review& r = u.reviews.at(campaign);
    return r.passed_seq || r.rejected_seq;
  }
  const Application& a = u.applications.at(campaign);
  return a.granted_seq || a.rejected_seq;
}

// Whether `u` holds an active title from one of the batches review campaign `c` reviews.
bool HoldsReviewedTitle(const Unit& u, const Campaign& c) {
  if (!c.rules.review) return false;
  for (const std::string& batch : c.rules.review->batches) {
    if (auto it = u.titles.find(batch); it != u.titles.end() && it->second.active()) return true;
  }
  return false;
}

Status CheckSubmission(const Ctx& x) {
  const Campaign& c = *x.campaign;
  if (c.rules.historical) return Transition("campaign " + c.id + " is historical: its titles are imported with title.granted");
  PL_RETURN_IF_ERROR(CheckDescriptor(x.state, c.rules, x.b.unit, "unit"));
  for (size_t i = 0; i < x.b.scenarios.size(); ++i) {
    if (!c.rules.scenarios.empty() && !c.rules.HasScenario(x.b.scenarios[i])) {
      return SchemaViolation("scenarios[" + std::to_string(i) + "]", "campaign " + c.id + " has no scenario " + x.b.scenarios[i]);
    }
  }
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "submission"));
  if (x.unit && (x.unit->d.authority != x.b.unit.authority || x.unit->d.region != x.b.unit.region)) {
    return Transition("unit " + x.b.unit_id + " is recorded under authority " + x.unit->d.authority + " in region " + x.unit->d.region +
                      "; a submission cannot move it to " + x.b.unit.authority + " / " + x.b.unit.region);
  }
  if (x.unit && x.unit->applications.count(c.id)) {
    return Transition("unit " + x.b.unit_id + " already applied in campaign " + c.id + " at " +
                      Seq(x.unit->applications.at(c.id).submitted_seq));
  }
  // One track per unit and campaign: a unit under review in this campaign does not also apply.
  if (x.unit && x.unit->reviews.count(c.id)) {
    return Transition("unit " + x.b.unit_id + " is under review in campaign " + c.id + " (requested at " +
                      Seq(x.unit->reviews.at(c.id).requested_seq) + ") and cannot also apply in it");
  }
  return Status::Ok();
}

Status CheckRecommendation(const Ctx& x) {
  const Campaign& c = *x.campaign;
  const auto app = x.unit->applications.find(c.id);
  if (app == x.unit->applications.end()) return Transition("unit " + x.b.unit_id + " has not applied in campaign " + c.id);
  if (app->second.recommended_seq) {
    return Transition("unit " + x.b.unit_id + " was already recommended at " + Seq(*app->second.recommended_seq));
  }
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "recommendation"));
  const Application& a = app->second;
  const Eligibility e = Evaluate(c.rules, a.category, a.subtype, a.metrics, a.scenarios);
  if (!e.eligible) {
    std::string why;
    for (const CriterionFailure& f : e.failed) why += (why.empty() ? "" : "; ") + f.id + ": " + f.message;
    return RuleViolation("not_eligible", "unit " + x.b.unit_id + " (" + x.unit->d.name + ") is not eligible in campaign " + c.id + ": " + why,
                         {{"failed", EligibilityJson(e)["failed"]}});
  }
  const std::string& authority = x.unit->d.authority;
  const std::string kind = c.rules.AuthorityKind(authority);
  const std::string category = kind == "soe_group" ? "total" : a.category;
  const std::optional<int64_t> limit = c.rules.Quota(kind, category);
  if (!limit) return Status::Ok();
  const int64_t extra = c.Extra(authority, category);
  int64_t used = 0;
  if (auto it = c.recommended.find(authority); it != c.recommended.end()) {
    if (auto k = it->second.find(category); k != it->second.end()) used = k->second;
  }
  if (used + 1 > *limit + extra) {
    return RuleViolation(
        "quota_exceeded",
        "authority " + authority + " (" + kind + ") has used " + std::to_string(used) + " of its " + std::to_string(*limit) + " " +
            category + " places in campaign " + c.id + (extra ? " plus " + std::to_string(extra) + " by exception" : " (no exception)") +
            "; unit " + x.b.unit_id + " cannot be recommended",
        {{"authority", authority}, {"category", category}, {"limit", *limit}, {"extra", extra}, {"used", used}});
  }
  return Status::Ok();
}

Status CheckEvaluation(const Ctx& x) {
  bool review = false;
  const Track* t = EvaluationTrack(x, *x.unit, review);
  const std::string& type = x.event.type;
  if (!t) return Transition(type + " for unit " + x.b.unit_id + ", which was never recommended in campaign " + x.b.campaign);
  if (Decided(*x.unit, x.b.campaign, review)) {
    return Transition("unit " + x.b.unit_id + "'s evaluation in campaign " + x.b.campaign + " is already decided");
  }
  if (type == "score.recorded") {
    for (const Score& s : t->scores) {
      for (const Signature& sig : x.event.sigs) {
        if (sig.signer == s.expert) return Transition("expert " + s.expert + " already scored unit " + x.b.unit_id + " at " + Seq(s.seq));
      }
    }
  }
  if (type == "objection.filed") {
    if (!t->published_seq) return Transition("unit " + x.b.unit_id + " is not on a published list in campaign " + x.b.campaign);
    if (x.now > *t->objection_deadline) {
      return RuleViolation("deadline_passed", "objections to unit " + x.b.unit_id + " closed at " +
                                                  FormatRfc3339Millis(*t->objection_deadline));
    }
  }
  return Status::Ok();
}

Status CheckPublication(const Ctx& x) {
  if (x.b.objection_deadline <= x.now) {
    return Transition("the objection deadline " + FormatRfc3339Millis(x.b.objection_deadline) + " has already passed");
  }
  for (const std::string& id : x.b.unit_ids) {
    const Unit* u = x.state.FindUnit(id);
    if (!u) return RuleViolation("unknown_unit", "no unit " + id);
    bool review = false;
    const Track* t = EvaluationTrack(x, *u, review);
    if (!t) return Transition("unit " + id + " was never recommended in campaign " + x.b.campaign);
    if (t->published_seq) return Transition("unit " + id + " was already published at " + Seq(*t->published_seq));
    if (Decided(*u, x.b.campaign, review)) return Transition("unit " + id + "'s evaluation is already decided");
    if (review && !HoldsReviewedTitle(*u, *x.campaign)) return Transition("unit " + id + "'s title under review has been revoked");
  }
  return Status::Ok();
}

// A published, undisputed unit whose objection period is over: what granting and passing need.
Status CheckAnnounceable(const Ctx& x, const Unit& u, const Track& t) {
  if (!t.published_seq) return Transition("unit " + u.d.id + " has not been published in campaign " + x.b.campaign);
  if (x.now <= *t.objection_deadline) {
    return Transition("unit " + u.d.id + "'s objection period runs until " + FormatRfc3339Millis(*t.objection_deadline));
  }
  for (const Objection& o : t.objections) {
    if (!o.resolved_seq) return Transition("the objection at " + Seq(o.seq) + " to unit " + u.d.id + " is still open");
    if (o.upheld) return Transition("the objection at " + Seq(o.seq) + " to unit " + u.d.id + " was upheld");
  }
  if (const auto failed = t.FailedSpotCheck()) return Transition("unit " + u.d.id + " failed the spot check at " + Seq(*failed));
  return Status::Ok();
}

Status CheckGrant(const Ctx& x) {
  const Campaign& c = *x.campaign;
  if (c.rules.historical) {
    if (x.b.descriptors.empty()) return SchemaViolation("units", "a historical grant lists unit descriptors");
    for (size_t i = 0; i < x.b.descriptors.size(); ++i) {
      const UnitDescriptor& d = x.b.descriptors[i];
      PL_RETURN_IF_ERROR(CheckDescriptor(x.state, c.rules, d, "units[" + std::to_string(i) + "]"));
      const Unit* u = x.state.FindUnit(d.id);
      if (u && u->titles.count(c.id)) return Transition("unit " + d.id + " already holds a title of campaign " + c.id);
    }
    return Status::Ok();
  }
  if (!x.b.descriptors.empty()) return SchemaViolation("units", "campaign " + c.id + " grants titles to unit ids");
  for (const std::string& id : x.b.unit_ids) {
    const Unit* u = x.state.FindUnit(id);
    if (!u) return RuleViolation("unknown_unit", "no unit " + id);
    const auto app = u->applications.find(c.id);
    if (app == u->applications.end() || !app->second.recommended_seq) {
      return Transition("unit " + id + " was never recommended in campaign " + c.id);
    }
    if (app->second.granted_seq) return Transition("unit " + id + " was already granted at " + Seq(*app->second.granted_seq));
    PL_RETURN_IF_ERROR(CheckAnnounceable(x, *u, app->second));
  }
  return Status::Ok();
}

Status CheckReviewRequest(const Ctx& x) {
  const Campaign& c = *x.campaign;
  if (!c.rules.review) return Transition("campaign " + c.id + " reviews no titles");
  if (!HoldsReviewedTitle(*x.unit, c)) {
    return Transition("unit " + x.b.unit_id + " holds no title from the batches campaign " + c.id + " reviews");
  }
  if (auto it = x.unit->reviews.find(c.id); it != x.unit->reviews.end()) {
    return Transition("unit " + x.b.unit_id + " already requested its review at " + Seq(it->second.requested_seq));
  }
  if (auto it = x.unit->applications.find(c.id); it != x.unit->applications.end()) {
    return Transition("unit " + x.b.unit_id + " applied in campaign " + c.id + " at " + Seq(it->second.submitted_seq) +
                      " and cannot also be reviewed in it");
  }
  return Deadline(c, x.now, "review request");
}

Status CheckReviewRecommendation(const Ctx& x) {
  const Campaign& c = *x.campaign;
  const auto r = x.unit->reviews.find(c.id);
  if (r == x.unit->reviews.end()) return Transition("unit " + x.b.unit_id + " has not requested a review in campaign " + c.id);
  if (r->second.recommended_seq) return Transition("unit " + x.b.unit_id + " was already recommended at " + Seq(*r->second.recommended_seq));
  if (!HoldsReviewedTitle(*x.unit, c)) return Transition("unit " + x.b.unit_id + "'s title under review has been revoked");
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "review recommendation"));
  const std::string& authority = x.unit->d.authority;
  const int64_t base = ReviewBase(x.state, c, authority);
  const int64_t cap = c.rules.review->cap_bp * base / 10000;
  const int64_t extra = c.Extra(authority, "review");
  const int64_t used = c.review_recommended.count(authority) ? c.review_recommended.at(authority) : 0;
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

Status CheckReviewPassed(const Ctx& x) {
  for (const std::string& id : x.b.unit_ids) {
    const Unit* u = x.state.FindUnit(id);
    if (!u) return RuleViolation("unknown_unit", "no unit " + id);
    const auto r = u->reviews.find(x.b.campaign);
    if (r == u->reviews.end() || !r->second.recommended_seq) {
      return Transition("unit " + id + " was not recommended for review in campaign " + x.b.campaign);
    }
    if (r->second.passed_seq) return Transition("unit " + id + " already passed the review at " + Seq(*r->second.passed_seq));
    if (!HoldsReviewedTitle(*u, *x.campaign)) return Transition("unit " + id + "'s title under review has been revoked");
    PL_RETURN_IF_ERROR(CheckAnnounceable(x, *u, r->second));
  }
  return Status::Ok();
}

Status CheckObjectionResolved(const Ctx& x) {
  const auto it = x.state.objections.find(x.b.objection);
  if (it == x.state.objections.end()) return Transition("there is no objection at " + Seq(x.b.objection));
  if (it->second.campaign != x.b.campaign) return Transition("the objection at " + Seq(x.b.objection) + " belongs to campaign " + it->second.campaign);
  const Unit& u = *x.state.FindUnit(it->second.unit);
  const Track& t = it->second.review ? static_cast<const Track&>(u.reviews.at(x.b.campaign))
                                     : static_cast<const Track&>(u.applications.at(x.b.campaign));
  for (const Objection& o : t.objections) {
    if (o.seq == x.b.objection && o.resolved_seq) return Transition("the objection at " + Seq(o.seq) + " was resolved at " + Seq(*o.resolved_seq));
  }
  return Status::Ok();
}

Status CheckRevocation(const Ctx& x) {
  const Campaign& c = *x.campaign;
  bool covered = false;
  for (const auto& [granted_in, title] : x.unit->titles) {
    const bool in_scope = granted_in == c.id || (c.rules.review && std::count(c.rules.review->batches.begin(),
                                                                               c.rules.review->batches.end(), granted_in));
    covered = covered || (in_scope && title.active());
  }
  if (!covered) return Transition("unit " + x.b.unit_id + " holds no title that campaign " + c.id + " can revoke");
  const std::string& reason = x.b.text;
  if (reason == "review_not_requested" || reason == "review_failed") {
    if (!c.rules.review) return Transition("campaign " + c.id + " reviews no titles, so " + reason + " does not apply");
    const auto r = x.unit->reviews.find(c.id);
    const bool closed = c.rules.deadline && x.now > *c.rules.deadline;
    if (reason == "review_not_requested") {
      if (r != x.unit->reviews.end()) return Transition("unit " + x.b.unit_id + " requested its review at " + Seq(r->second.requested_seq));
      if (!closed) return Transition("unit " + x.b.unit_id + " may still request its review until " + c.rules.deadline_text);
    }
    if (reason == "review_failed") {
      if (r == x.unit->reviews.end()) return Transition("unit " + x.b.unit_id + " never requested a review");
      if (r->second.passed_seq) return Transition("unit " + x.b.unit_id + " passed its review at " + Seq(*r->second.passed_seq));
      // Not recommended by its authority is a failure only once the authority can no longer recommend it.
      if (!r->second.recommended_seq && !closed) {
        return Transition("unit " + x.b.unit_id + " may still be recommended for review until " + c.rules.deadline_text);
      }
    }
  }
  if (reason == "objection_upheld") {
    const auto a = x.unit->applications.find(c.id);
    const auto r = x.unit->reviews.find(c.id);
    const bool upheld = (a != x.unit->applications.end() && a->second.HasUpheldObjection()) ||
                        (r != x.unit->reviews.end() && r->second.HasUpheldObjection());
    if (!upheld) return Transition("no objection to unit " + x.b.unit_id + " was upheld in campaign " + c.id);
  }
  return Status::Ok();
}

}  // namespace

Status CheckUnitRules(const State& state, const SignedEvent& event, const Body& b, Timestamp now) {
  Ctx x{state, event, b, now};
  x.campaign = state.FindCampaign(b.campaign);
  if (!x.campaign) return RuleViolation("unknown_campaign", "no campaign " + b.campaign + " has been opened");
  const std::string& type = event.type;
  if (!b.unit_id.empty()) {
    x.unit = state.FindUnit(b.unit_id);
    if (!x.unit && type != "submission.filed") return RuleViolation("unknown_unit", "no unit " + b.unit_id + " has applied or holds a title");
  }
  if (type == "submission.filed") return CheckSubmission(x);
  if (type == "recommendation.issued") return CheckRecommendation(x);
  if (type == "score.recorded" || type == "spotcheck.recorded" || type == "objection.filed") return CheckEvaluation(x);
  if (type == "publication.issued") return CheckPublication(x);
  if (type == "objection.resolved") return CheckObjectionResolved(x);
  if (type == "title.granted") return CheckGrant(x);
  if (type == "review.requested") return CheckReviewRequest(x);
  if (type == "review.recommended") return CheckReviewRecommendation(x);
  if (type == "review.passed") return CheckReviewPassed(x);
  if (type == "title.revoked") return CheckRevocation(x);
  return Status(Code::kInternal, "no rules for " + type);
}

}  // namespace pilotledger::projections::internal
