// The rules of the unit lifecycle: submissions, recommendations within quotas, the national
// evaluation, publication and objections, grants, revocation (the review: check_review.cc).
#include <algorithm>

#include "projections/internal/check_rules.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections::internal {
namespace {

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

bool Listed(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Who may apply (rules `applicants`); each refusal names its rule.
Status CheckApplicant(const CampaignRules& rules, const UnitDescriptor& d) {
  if (!rules.applicants) return Status::Ok();
  const ApplicantRules& a = *rules.applicants;
  const bool soe = d.authority.rfind(kSoeAuthorityPrefix, 0) == 0;
  if (soe && !Listed(a.soe_member_categories, d.category)) {
    return RuleViolation("soe_member_category",
                         "a central SOE group recommends its member enterprises and parks, not a " + d.category + " (unit " + d.id + ")",
                         {{"category", d.category}});
  }
  if (Listed(a.county_level, d.category)) {
    const std::string who = d.category == "base" ? "a base is a county-level people's government (县（区）级人民政府)"
                                                 : "a street is a sub-district or township (街道（乡镇）) within a county-level region";
    const std::string province = d.region.substr(0, 2) + "0000";
    std::string problem;
    if (rules.AuthorityKind(province) != "province") problem = "region " + d.region + " is in no province of the reference data";
    else if (d.region.substr(2) == "0000") problem = "region " + d.region + " is a provincial-level code";
    else if (d.region.substr(4) == "00") problem = "region " + d.region + " is a prefecture-level code";
    if (!problem.empty()) {
      return RuleViolation("applicant_not_county_level", who + ": " + problem + ", not a county-level GB/T 2260 code",
                           {{"region", d.region}, {"category", d.category}});
    }
  }
  if (Listed(a.company_code, d.category) && d.id.substr(0, 2) != "91") {
    return RuleViolation("applicant_not_company",
                         "an enterprise is a registered company: credit code " + d.id + " has registration authority " + d.id.substr(0, 1) +
                             " and type " + d.id.substr(1, 1) + ", not 9 (工商) and 1 (企业), e.g. not an individual business (92)",
                         {{"code_prefix", d.id.substr(0, 2)}});
  }
  return Status::Ok();
}

// The track (selection or review) of `u` in `campaign` that the evaluation events concern.
const Track* EvaluationTrack(const Unit& u, const std::string& campaign, bool& review) {
  if (auto it = u.applications.find(campaign); it != u.applications.end() && it->second.recommended_seq) {
    review = false;
    return &it->second;
  }
  if (auto it = u.reviews.find(campaign); it != u.reviews.end() && it->second.recommended_seq) {
    review = true;
    return &it->second;
  }
  return nullptr;
}

// Whether the evaluation EvaluationTrack found (a review if `review`) is decided.
bool Decided(const Unit& u, const std::string& campaign, bool review) {
  if (review) {
    const Review& r = u.reviews.at(campaign);
    return r.passed_seq || r.rejected_seq || r.refusal;
  }
  const Application& a = u.applications.at(campaign);
  return a.granted_seq || a.rejected_seq || a.refusal;
}

// The open evaluation track that score.recorded, spotcheck.recorded and objection.filed add to.
Result<const Track*> OpenEvaluation(const RuleContext& x, const std::string& campaign, const std::string& unit_id) {
  PL_RETURN_IF_ERROR(OpenedCampaign(x.state, campaign).status());
  PL_ASSIGN_OR_RETURN(const Unit* u, KnownUnit(x.state, unit_id));
  bool review = false;
  const Track* t = EvaluationTrack(*u, campaign, review);
  if (!t) return Transition(x.event.type + " for unit " + unit_id + ", which was never recommended in campaign " + campaign);
  if (Decided(*u, campaign, review)) {
    return Transition("unit " + unit_id + "'s evaluation in campaign " + campaign + " is already decided");
  }
  return t;
}

}  // namespace

Result<const Campaign*> OpenedCampaign(const State& state, const std::string& id) {
  const Campaign* c = state.FindCampaign(id);
  if (!c) return RuleViolation("unknown_campaign", "no campaign " + id + " has been opened");
  return c;
}

Result<const Unit*> KnownUnit(const State& state, const std::string& id) {
  const Unit* u = state.FindUnit(id);
  if (!u) return RuleViolation("unknown_unit", "no unit " + id + " has applied or holds a title");
  return u;
}

Status Deadline(const Campaign& c, Timestamp now, const std::string& what) {
  if (c.rules.deadline && now > *c.rules.deadline) {
    return RuleViolation("deadline_passed",
                         what + " in campaign " + c.id + " closed at " + c.rules.deadline_text + "; the ledger received it at " +
                             FormatRfc3339Millis(now),
                         {{"deadline", c.rules.deadline_text}, {"received", FormatRfc3339Millis(now)}});
  }
  return Status::Ok();
}

bool HoldsReviewedTitle(const Unit& u, const Campaign& c) {
  if (!c.rules.review) return false;
  for (const std::string& batch : c.rules.review->batches) {
    if (auto it = u.titles.find(batch); it != u.titles.end() && it->second.active()) return true;
  }
  return false;
}

Status RequireDocuments(const RuleContext& x, const std::vector<std::string>& names, const std::string& why) {
  const Json& body = x.event.body();
  for (const std::string& name : names) {
    bool found = false;
    if (body.contains("documents") && body["documents"].is_array()) {
      for (const Json& d : body["documents"]) found = found || (d.is_object() && d.value("name", "") == name);
    }
    if (!found) {
      return SchemaViolation("documents", x.event.type + " must carry the document " + name + " (required by " + why + ")");
    }
  }
  return Status::Ok();
}

Status CheckRecommendationChecks(const RuleContext& x, const Campaign& c, const std::vector<CheckRecord>& checks) {
  for (const std::string& method : c.rules.check_methods) {
    bool found = false;
    for (const CheckRecord& r : checks) found = found || r.method == method;
    if (!found) {
      return SchemaViolation("checks", x.event.type + " must record the authority's " + method + " check (campaign " + c.id +
                                           "'s rules: recommendation_check)");
    }
  }
  const std::string today = FormatRfc3339Millis(Timestamp{x.now.ms + 8 * 3600 * 1000LL}).substr(0, 10);  // the day in UTC+8
  for (size_t i = 0; i < checks.size(); ++i) {
    if (checks[i].date > today) {
      return SchemaViolation("checks[" + std::to_string(i) + "].date",
                             "the " + checks[i].method + " check is dated " + checks[i].date + ", after the day the ledger received it (" + today + ")");
    }
  }
  return Status::Ok();
}

Status NotEligible(const Campaign& c, const Unit& u, const Eligibility& e, const std::string& what) {
  std::string why;
  for (const CriterionFailure& f : e.failed) why += (why.empty() ? "" : "; ") + f.id + ": " + f.message;
  return RuleViolation("not_eligible",
                       "unit " + u.d.id + " (" + u.d.name + ") is not eligible " + (what.empty() ? "" : what + " ") + "in campaign " +
                           c.id + ": " + why,
                       {{"failed", EligibilityJson(e)["failed"]}});
}

Status CheckAnnounceable(const RuleContext& x, const std::string& campaign, const Unit& u, const Track& t) {
  if (!t.published_seq) return Transition("unit " + u.d.id + " has not been published in campaign " + campaign);
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

Status CheckRules(const RuleContext& x, const SubmissionFiled& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  const Campaign& c = *campaign;
  const Unit* unit = x.state.FindUnit(b.unit.id);  // a first submission introduces the unit
  const std::string& id = b.unit.id;
  if (c.rules.historical) return Transition("campaign " + c.id + " is historical: its titles are imported with title.granted");
  PL_RETURN_IF_ERROR(CheckDescriptor(x.state, c.rules, b.unit, "unit"));
  PL_RETURN_IF_ERROR(CheckApplicant(c.rules, b.unit));
  for (size_t i = 0; i < b.scenarios.size(); ++i) {
    if (!c.rules.scenarios.empty() && !c.rules.HasScenario(b.scenarios[i])) {
      return SchemaViolation("scenarios[" + std::to_string(i) + "]", "campaign " + c.id + " has no scenario " + b.scenarios[i]);
    }
  }
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "submission"));
  if (unit && (unit->d.authority != b.unit.authority || unit->d.region != b.unit.region)) {
    return Transition("unit " + id + " is recorded under authority " + unit->d.authority + " in region " + unit->d.region +
                      "; a submission cannot move it to " + b.unit.authority + " / " + b.unit.region);
  }
  if (unit) {
    if (const auto it = unit->applications.find(c.id); it != unit->applications.end()) {
      return Transition("unit " + id + " already applied in campaign " + c.id + " at " + Seq(it->second.submitted_seq));
    }
    // One track per unit and campaign (rules review.one_track): a unit under review does not also apply.
    if (const auto it = unit->reviews.find(c.id); it != unit->reviews.end() && c.rules.review && c.rules.review->one_track) {
      return Transition("unit " + id + " is under review in campaign " + c.id + " (requested at " +
                        Seq(it->second.requested_seq) + ") and cannot also apply in it");
    }
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const RecommendationIssued& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* unit, KnownUnit(x.state, b.unit_id));
  const Campaign& c = *campaign;
  const auto app = unit->applications.find(c.id);
  if (app == unit->applications.end()) return Transition("unit " + b.unit_id + " has not applied in campaign " + c.id);
  if (app->second.recommended_seq) {
    return Transition("unit " + b.unit_id + " was already recommended at " + Seq(*app->second.recommended_seq));
  }
  PL_RETURN_IF_ERROR(Deadline(c, x.now, "recommendation"));
  PL_RETURN_IF_ERROR(CheckRecommendationChecks(x, c, b.checks));
  const Application& a = app->second;
  const Eligibility e = Evaluate(c.rules, a.category, a.subtype, a.metrics, a.scenarios);
  if (!e.eligible) return NotEligible(c, *unit, e, "");
  const std::string& authority = unit->d.authority;
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
            "; unit " + b.unit_id + " cannot be recommended",
        {{"authority", authority}, {"category", category}, {"limit", *limit}, {"extra", extra}, {"used", used}});
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const ScoreRecorded& b) {
  PL_ASSIGN_OR_RETURN(const Track* t, OpenEvaluation(x, b.campaign, b.unit_id));
  if (const auto& scoring = x.state.FindCampaign(b.campaign)->rules.scoring;
      scoring && (b.score < scoring->min || b.score > scoring->max)) {
    return SchemaViolation("score", "campaign " + b.campaign + " scores " + std::to_string(scoring->min) + "-" + std::to_string(scoring->max) +
                                        " (scoring), got " + std::to_string(b.score));
  }
  for (const Score& s : t->scores) {
    for (const Signature& sig : x.event.sigs) {
      if (sig.signer == s.expert) return Transition("expert " + s.expert + " already scored unit " + b.unit_id + " at " + Seq(s.seq));
    }
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const SpotcheckRecorded& b) {
  return OpenEvaluation(x, b.campaign, b.unit_id).status();
}

Status CheckRules(const RuleContext& x, const ObjectionFiled& b) {
  PL_ASSIGN_OR_RETURN(const Track* t, OpenEvaluation(x, b.campaign, b.unit_id));
  if (!t->published_seq) return Transition("unit " + b.unit_id + " is not on a published list in campaign " + b.campaign);
  if (x.now > *t->objection_deadline) {
    return RuleViolation("deadline_passed", "objections to unit " + b.unit_id + " closed at " +
                                                FormatRfc3339Millis(*t->objection_deadline));
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const PublicationIssued& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  if (b.objection_deadline <= x.now) {
    return Transition("the objection deadline " + FormatRfc3339Millis(b.objection_deadline) + " has already passed");
  }
  for (const std::string& id : b.unit_ids) {
    const Unit* u = x.state.FindUnit(id);
    if (!u) return RuleViolation("unknown_unit", "no unit " + id);
    bool review = false;
    const Track* t = EvaluationTrack(*u, b.campaign, review);
    if (!t) return Transition("unit " + id + " was never recommended in campaign " + b.campaign);
    if (t->published_seq) return Transition("unit " + id + " was already published at " + Seq(*t->published_seq));
    if (Decided(*u, b.campaign, review)) return Transition("unit " + id + "'s evaluation is already decided");
    if (review && !HoldsReviewedTitle(*u, *campaign)) return Transition("unit " + id + "'s title under review has been revoked");
    const int64_t required = campaign->rules.scoring ? campaign->rules.scoring->scores_required : 0;
    if (int64_t(t->scores.size()) < required) {
      return Transition("unit " + id + " has " + std::to_string(t->scores.size()) + " of the " + std::to_string(required) +
                        " expert scores campaign " + b.campaign + " requires before publication (scoring.scores_required)");
    }
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const ObjectionResolved& b) {
  PL_RETURN_IF_ERROR(OpenedCampaign(x.state, b.campaign).status());
  const auto it = x.state.objections.find(b.objection);
  if (it == x.state.objections.end()) return Transition("there is no objection at " + Seq(b.objection));
  if (it->second.campaign != b.campaign) return Transition("the objection at " + Seq(b.objection) + " belongs to campaign " + it->second.campaign);
  const Unit& u = *x.state.FindUnit(it->second.unit);
  const Track& t = it->second.review ? static_cast<const Track&>(u.reviews.at(b.campaign))
                                     : static_cast<const Track&>(u.applications.at(b.campaign));
  for (const Objection& o : t.objections) {
    if (o.seq == b.objection && o.resolved_seq) return Transition("the objection at " + Seq(o.seq) + " was resolved at " + Seq(*o.resolved_seq));
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const TitleGranted& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  const Campaign& c = *campaign;
  if (c.rules.historical) {
    if (b.descriptors.empty()) return SchemaViolation("units", "a historical grant lists unit descriptors");
    for (size_t i = 0; i < b.descriptors.size(); ++i) {
      const UnitDescriptor& d = b.descriptors[i];
      PL_RETURN_IF_ERROR(CheckDescriptor(x.state, c.rules, d, "units[" + std::to_string(i) + "]"));
      const Unit* u = x.state.FindUnit(d.id);
      if (u && u->titles.count(c.id)) return Transition("unit " + d.id + " already holds a title of campaign " + c.id);
    }
    return Status::Ok();
  }
  if (!b.descriptors.empty()) return SchemaViolation("units", "campaign " + c.id + " grants titles to unit ids");
  for (const std::string& id : b.unit_ids) {
    const Unit* u = x.state.FindUnit(id);
    if (!u) return RuleViolation("unknown_unit", "no unit " + id);
    const auto app = u->applications.find(c.id);
    if (app == u->applications.end() || !app->second.recommended_seq) {
      return Transition("unit " + id + " was never recommended in campaign " + c.id);
    }
    if (app->second.granted_seq) return Transition("unit " + id + " was already granted at " + Seq(*app->second.granted_seq));
    if (app->second.refusal) return Transition("unit " + id + " was rejected at " + Seq(app->second.refusal->seq));
    PL_RETURN_IF_ERROR(CheckAnnounceable(x, c.id, *u, app->second));
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const TitleRevoked& b) {
  PL_ASSIGN_OR_RETURN(const Campaign* campaign, OpenedCampaign(x.state, b.campaign));
  PL_ASSIGN_OR_RETURN(const Unit* unit, KnownUnit(x.state, b.unit_id));
  const Campaign& c = *campaign;
  bool covered = false;
  for (const auto& [granted_in, title] : unit->titles) {
    const bool in_scope = granted_in == c.id || (c.rules.review && std::count(c.rules.review->batches.begin(),
                                                                               c.rules.review->batches.end(), granted_in));
    covered = covered || (in_scope && title.active());
  }
  if (!covered) return Transition("unit " + b.unit_id + " holds no title that campaign " + c.id + " can revoke");
  const std::string& reason = b.reason;
  if (reason == "review_not_requested" || reason == "review_failed") {
    if (!c.rules.review) return Transition("campaign " + c.id + " reviews no titles, so " + reason + " does not apply");
    const auto r = unit->reviews.find(c.id);
    const bool closed = c.rules.deadline && x.now > *c.rules.deadline;
    if (reason == "review_not_requested") {
      if (!c.Listed(unit->d.authority, unit->d.id)) {
        return Transition("unit " + b.unit_id + " is not on campaign " + c.id + "'s review list (review.scope), so it was never asked to request a review");
      }
      if (r != unit->reviews.end()) return Transition("unit " + b.unit_id + " requested its review at " + Seq(r->second.requested_seq));
      if (!closed) return Transition("unit " + b.unit_id + " may still request its review until " + c.rules.deadline_text);
    }
    if (reason == "review_failed") {
      if (r == unit->reviews.end()) return Transition("unit " + b.unit_id + " never requested a review");
      if (r->second.passed_seq) return Transition("unit " + b.unit_id + " passed its review at " + Seq(*r->second.passed_seq));
      // Not recommended by its authority is a failure only once the authority can no longer recommend it;
      // a recommended unit fails by the ministries' review.failed.
      if (!r->second.recommended_seq && !closed) {
        return Transition("unit " + b.unit_id + " may still be recommended for review until " + c.rules.deadline_text);
      }
      if (r->second.recommended_seq && !r->second.refusal) {
        return Transition("unit " + b.unit_id + " was recommended for review: its failure is a review.failed first");
      }
    }
  }
  if (reason == "assessment_failed") {
    bool failed = false;
    for (const Assessment& a : unit->assessments) {
      const bool in_scope = a.campaign == c.id || (c.rules.review && std::count(c.rules.review->batches.begin(), c.rules.review->batches.end(), a.campaign));
      failed = failed || (!a.passed && in_scope && unit->titles.count(a.campaign) && unit->titles.at(a.campaign).active());
    }
    if (!failed) return Transition("assessment_failed needs a failed assessment (assessment.recorded) of a title campaign " + c.id + " can revoke; unit " + b.unit_id + " has none");
  }
  if (reason == "objection_upheld") {
    const auto a = unit->applications.find(c.id);
    const auto r = unit->reviews.find(c.id);
    const bool upheld = (a != unit->applications.end() && a->second.HasUpheldObjection()) ||
                        (r != unit->reviews.end() && r->second.HasUpheldObjection());
    if (!upheld) return Transition("no objection to unit " + b.unit_id + " was upheld in campaign " + c.id);
  }
  return Status::Ok();
}

}  // namespace pilotledger::projections::internal
