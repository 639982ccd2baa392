#include "projections/apply.h"

#include <algorithm>

#include "projections/bodies.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

// Each lookup finds what an admitted entry refers to, or says what the state does not hold; all
// of them run before the entry's first change to the state.

Status Missing(const std::string& what) { return Status(Code::kInternal, what); }

Result<Campaign*> FindCampaign(State& s, const std::string& id) {
  const auto it = s.campaigns.find(id);
  if (it == s.campaigns.end()) return Missing("no campaign " + id);
  return &it->second;
}

Result<Unit*> FindUnit(State& s, const std::string& id) {
  const auto it = s.units.find(id);
  if (it == s.units.end()) return Missing("no unit " + id);
  return &it->second;
}

Result<Application*> FindApplication(Unit& u, const std::string& campaign) {
  const auto it = u.applications.find(campaign);
  if (it == u.applications.end()) return Missing("no application of unit " + u.d.id + " in campaign " + campaign);
  return &it->second;
}

Result<Review*> FindReview(Unit& u, const std::string& campaign) {
  const auto it = u.reviews.find(campaign);
  if (it == u.reviews.end()) return Missing("no review of unit " + u.d.id + " in campaign " + campaign);
  return &it->second;
}

// The recommended track (selection or review) the evaluation events of `campaign` add to.
Result<Track*> FindEvaluationTrack(Unit& u, const std::string& campaign, bool* review = nullptr) {
  if (auto it = u.applications.find(campaign); it != u.applications.end() && it->second.recommended_seq) {
    if (review) *review = false;
    return &it->second;
  }
  if (auto it = u.reviews.find(campaign); it != u.reviews.end() && it->second.recommended_seq) {
    if (review) *review = true;
    return &it->second;
  }
  return Missing("no evaluation of unit " + u.d.id + " in campaign " + campaign);
}

// Records that entry `seq` concerns `u` (once per entry).
// (An entry's type is a known one: admission refused any other.)
Unit& Touch(Unit& u, uint64_t seq, std::string_view type) {
  const std::optional<EventType> t = EventTypeFromName(type);
  if (t && (u.history.empty() || u.history.back().first != seq)) u.history.emplace_back(seq, *t);
  return u;
}

// One ApplyBody per body type: `e` is the admitted entry whose body `b` is.

Status ApplyBody(State& s, const Entry& e, const Genesis& b) {
  s.origin = b.origin;
  s.ledger_key = b.ledger_key;
  s.ledger_keys = {{b.ledger_key, e.seq}};
  s.genesis_policy = b.policy_json;
  s.policy = b.policy;
  for (Actor a : b.authorities) {
    a.registered_seq = e.seq;
    s.active_keys[a.key.raw()] = a.id;
    if (a.role == "soe_group") s.soe_authorities.insert(a.authority());
    s.actors[a.id] = std::move(a);
  }
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const KeyRotated& b) {
  s.ledger_key = b.new_key;
  s.ledger_keys.push_back({b.new_key, e.seq + 1});
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ActorRegistered& b) {
  Actor a = b.actor;
  a.registered_seq = e.seq;
  s.active_keys[a.key.raw()] = a.id;
  if (a.role == "soe_group") s.soe_authorities.insert(a.authority());
  s.actors[a.id] = std::move(a);
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ActorRevoked& b) {
  const auto it = s.actors.find(b.actor_id);
  if (it == s.actors.end()) return Missing("no actor " + b.actor_id);
  it->second.revoked_seq = e.seq;
  s.active_keys.erase(it->second.key.raw());
  return Status::Ok();
}

void SetRules(Campaign& c, const Entry& e, const CampaignRules& rules, const Json& rules_json) {
  c.rules = rules;
  c.rules_json = rules_json;
  c.rules_seq = e.seq;
}

Status ApplyBody(State& s, const Entry& e, const CampaignOpened& b) {
  Campaign& c = s.campaigns[b.campaign];
  c.id = b.campaign;
  c.opened_seq = e.seq;
  SetRules(c, e, b.rules, b.rules_json);
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const CampaignAmended& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  c->amended_seqs.push_back(e.seq);
  SetRules(*c, e, b.rules, b.rules_json);
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const QuotaExceptionGranted& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  c->exceptions.push_back({e.seq, b.authority, b.category, b.extra, b.reason});
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const SubmissionFiled& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  Unit& u = Touch(s.units[b.unit.id], e.seq, e.type());  // a first submission introduces the unit
  u.d = b.unit;
  Application& a = u.applications[b.campaign];
  a.submitted_seq = e.seq;
  a.category = b.unit.category;
  a.subtype = b.unit.subtype;
  a.metrics = b.metrics;
  a.scenarios = b.scenarios;
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const RecommendationIssued& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  PL_ASSIGN_OR_RETURN(Application* a, FindApplication(*u, b.campaign));
  Touch(*u, e.seq, e.type());
  a->recommended_seq = e.seq;
  a->checks = b.checks;
  const std::string category = c->rules.AuthorityKind(u->d.authority) == "soe_group" ? "total" : a->category;
  ++c->recommended[u->d.authority][category];
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ScoreRecorded& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  PL_ASSIGN_OR_RETURN(Track* t, FindEvaluationTrack(*u, b.campaign));
  Touch(*u, e.seq, e.type());
  std::string expert;
  for (const Signature& sig : e.signed_event.sigs) {
    if (const Actor* a = s.FindActor(sig.signer); a && a->role == "expert") expert = a->id;
  }
  t->scores.push_back({e.seq, expert, b.score});
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const SpotcheckRecorded& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  PL_ASSIGN_OR_RETURN(Track* t, FindEvaluationTrack(*u, b.campaign));
  Touch(*u, e.seq, e.type());
  t->spot_checks.push_back({e.seq, b.passed});
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ObjectionFiled& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  bool review = false;
  PL_ASSIGN_OR_RETURN(Track* t, FindEvaluationTrack(*u, b.campaign, &review));
  Touch(*u, e.seq, e.type());
  t->objections.push_back({e.seq, b.summary, std::nullopt, false});
  s.objections[e.seq] = {b.unit_id, b.campaign, review};
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const PublicationIssued& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  std::vector<std::pair<Unit*, Track*>> published;
  for (const std::string& id : b.unit_ids) {
    PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, id));
    PL_ASSIGN_OR_RETURN(Track* t, FindEvaluationTrack(*u, b.campaign));
    published.emplace_back(u, t);
  }
  c->publications.push_back(e.seq);
  for (auto& [u, t] : published) {
    Touch(*u, e.seq, e.type());
    t->published_seq = e.seq;
    t->objection_deadline = b.objection_deadline;
  }
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ObjectionResolved& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  const auto ref = s.objections.find(b.objection);
  if (ref == s.objections.end()) return Missing("no objection at entry " + std::to_string(b.objection));
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, ref->second.unit));
  Track* t = nullptr;
  if (ref->second.review) {
    PL_ASSIGN_OR_RETURN(t, FindReview(*u, b.campaign));
  } else {
    PL_ASSIGN_OR_RETURN(t, FindApplication(*u, b.campaign));
  }
  Touch(*u, e.seq, e.type());
  for (Objection& o : t->objections) {
    if (o.seq == b.objection) {
      o.resolved_seq = e.seq;
      o.upheld = b.upheld;
    }
  }
  if (b.upheld) t->rejected_seq = e.seq;
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const TitleGranted& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  std::vector<std::pair<Unit*, Application*>> granted;
  for (const std::string& id : b.unit_ids) {
    PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, id));
    PL_ASSIGN_OR_RETURN(Application* a, FindApplication(*u, b.campaign));
    granted.emplace_back(u, a);
  }
  for (const UnitDescriptor& d : b.descriptors) {  // a historical grant introduces its units
    Unit& u = Touch(s.units[d.id], e.seq, e.type());
    u.d = d;
    u.titles[b.campaign] = Title{e.seq};
  }
  for (auto& [u, a] : granted) {
    Touch(*u, e.seq, e.type());
    a->granted_seq = e.seq;
    u->titles[b.campaign] = Title{e.seq};
  }
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ReviewRequested& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  Touch(*u, e.seq, e.type());
  Review& r = u->reviews[b.campaign];
  r.requested_seq = e.seq;
  r.metrics = b.metrics;
  r.scenarios = b.scenarios;
  c->review_requested[u->d.authority].insert(u->d.id);
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ApplicationRejected& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  PL_ASSIGN_OR_RETURN(Application* a, FindApplication(*u, b.campaign));
  Touch(*u, e.seq, e.type());
  a->refusal = Refusal{e.seq, b.reason, b.note};
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ReviewFailed& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  PL_ASSIGN_OR_RETURN(Review* r, FindReview(*u, b.campaign));
  Touch(*u, e.seq, e.type());
  r->refusal = Refusal{e.seq, b.reason, b.note};
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const AssessmentRecorded& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  Touch(*u, e.seq, e.type());
  u->assessments.push_back({e.seq, b.campaign, b.passed, b.note});
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const CampaignClosed& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  c->closed_seq = e.seq;
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ReviewScope& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  std::vector<Unit*> listed;
  for (const auto& [authority, ids] : b.units) {
    for (const std::string& id : ids) {
      PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, id));
      listed.push_back(u);
    }
  }
  c->scope_seqs.push_back(e.seq);
  for (Unit* u : listed) {
    Touch(*u, e.seq, e.type());
    c->review_scope[u->d.authority][u->d.id] = e.seq;
  }
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ReviewRequirementsSet& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  c->review_requirements[b.authority] = {e.seq, b.required_documents, b.note};
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ReviewRecommended& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  PL_ASSIGN_OR_RETURN(Review* r, FindReview(*u, b.campaign));
  Touch(*u, e.seq, e.type());
  r->recommended_seq = e.seq;
  r->checks = b.checks;
  for (const auto& [area, f] : b.findings) r->findings[area] = {f.progress, f.note};
  ++c->review_recommended[u->d.authority];
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const ReviewPassed& b) {
  PL_RETURN_IF_ERROR(FindCampaign(s, b.campaign).status());
  std::vector<std::pair<Unit*, Review*>> passed;
  for (const std::string& id : b.unit_ids) {
    PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, id));
    PL_ASSIGN_OR_RETURN(Review* r, FindReview(*u, b.campaign));
    passed.emplace_back(u, r);
  }
  for (auto& [u, r] : passed) {
    Touch(*u, e.seq, e.type());
    r->passed_seq = e.seq;
  }
  return Status::Ok();
}

Status ApplyBody(State& s, const Entry& e, const TitleRevoked& b) {
  PL_ASSIGN_OR_RETURN(Campaign* c, FindCampaign(s, b.campaign));
  PL_ASSIGN_OR_RETURN(Unit* u, FindUnit(s, b.unit_id));
  Touch(*u, e.seq, e.type());
  for (auto& [granted_in, title] : u->titles) {
    const bool in_scope = granted_in == b.campaign ||
                          (c->rules.review && std::count(c->rules.review->batches.begin(), c->rules.review->batches.end(), granted_in));
    if (in_scope && title.active()) {
      title.revoked_seq = e.seq;
      title.revoked_in = b.campaign;
      title.reason = b.reason;
      title.note = b.note;
    }
  }
  return Status::Ok();
}

Status ApplyFrom(State& s, const Entry& entry, const Body* parsed, Source source) {
  const auto where = [&] { return "entry " + std::to_string(entry.seq); };
  if (entry.seq != s.size) return Status(Code::kDataLoss, where() + " applied to state of size " + std::to_string(s.size));
  Body body;
  if (!parsed) {
    Result<Body> b = ParseBody(entry.signed_event.kind, entry.body(), source);
    if (!b.ok()) return Status(Code::kDataLoss, where() + ": " + b.status().message());
    body = std::move(*b);
    parsed = &body;
  }
  const Status applied = std::visit([&](const auto& b) { return ApplyBody(s, entry, b); }, parsed->value);
  if (!applied.ok()) {
    return Status(Code::kDataLoss, where() + " refers to something the log does not hold: " + applied.message());
  }
  // The files the entry cites (checked as documents by ParseBody; the genesis body has none).
  if (const Json& body = entry.body(); entry.seq > 0 && body.contains("documents") && body["documents"].is_array()) {
    for (const Json& d : body["documents"]) {
      s.documents[d.at("sha256").get<std::string>()].push_back(
          {entry.seq, entry.type(), d.at("name").get<std::string>(), d.at("bytes").get<int64_t>()});
    }
  }
  s.size = entry.seq + 1;
  s.last_received = entry.received;
  return Status::Ok();
}

}  // namespace

Status Apply(State& s, const Entry& entry, const Body* parsed) { return ApplyFrom(s, entry, parsed, Source::kSubmitted); }

Status ApplyStored(State& s, const Entry& entry) { return ApplyFrom(s, entry, nullptr, Source::kStored); }

}  // namespace pilotledger::projections
