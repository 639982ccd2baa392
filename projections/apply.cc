#include "projections/apply.h"

#include "projections/bodies.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

Track* EvaluationTrack(Unit& u, const std::string& campaign, bool* review = nullptr) {
  if (auto it = u.applications.find(campaign); it != u.applications.end() && it->second.recommended_seq) {
    if (review) *review = false;
    return &it->second;
  }
  if (auto it = u.reviews.find(campaign); it != u.reviews.end() && it->second.recommended_seq) {
    if (review) *review = true;
    return &it->second;
  }
  return nullptr;
}

// The track an admitted evaluation event refers to; throws std::out_of_range if there is none.
Track& RequireTrack(Unit& u, const std::string& campaign, bool* review = nullptr) {
  Track* t = EvaluationTrack(u, campaign, review);
  if (!t) throw std::out_of_range("no evaluation track");
  return *t;
}

Status ApplyGenesis(State& s, const Entry& entry) {
  const Json& body = entry.body();
  s.origin = body.value("origin", "");
  s.ledger_key = body.value("ledger_key", "");
  s.genesis_policy = body.at("policy");
  PL_ASSIGN_OR_RETURN(s.policy, ParsePolicy(s.genesis_policy));
  for (const Json& d : body.at("authorities")) {
    PL_ASSIGN_OR_RETURN(Actor a, ParseActor(d, "authorities"));
    a.registered_seq = entry.seq;
    s.active_keys[a.key.raw()] = a.id;
    s.actors[a.id] = std::move(a);
  }
  return Status::Ok();
}

Unit& TouchUnit(State& s, const std::string& id, uint64_t seq, const std::string& type) {
  Unit& u = s.units[id];
  if (u.history.empty() || u.history.back().first != seq) u.history.emplace_back(seq, type);
  return u;
}

void ApplyUnitEvent(State& s, const Entry& entry, const Body& b) {
  const std::string& type = entry.type();
  const uint64_t seq = entry.seq;
  Campaign& c = s.campaigns.at(b.campaign);
  if (type == "submission.filed") {
    Unit& u = TouchUnit(s, b.unit.id, seq, type);
    u.d = b.unit;
    Application& a = u.applications[b.campaign];
    a.submitted_seq = seq;
    a.category = b.unit.category;
    a.subtype = b.unit.subtype;
    a.metrics = b.metrics;
    a.scenarios = b.scenarios;
  } else if (type == "recommendation.issued") {
    Unit& u = TouchUnit(s, b.unit_id, seq, type);
    Application& a = u.applications.at(b.campaign);
    a.recommended_seq = seq;
    const std::string category = c.rules.AuthorityKind(u.d.authority) == "soe_group" ? "total" : a.category;
    ++c.recommended[u.d.authority][category];
  } else if (type == "score.recorded" || type == "spotcheck.recorded" || type == "objection.filed") {
    Unit& u = TouchUnit(s, b.unit_id, seq, type);
    bool review = false;
    Track& t = RequireTrack(u, b.campaign, &review);
    if (type == "score.recorded") {
      std::string expert;
      for (const Signature& sig : entry.signed_event.sigs) {
        if (const Actor* a = s.FindActor(sig.signer); a && a->role == "expert") expert = a->id;
      }
      t.scores.push_back({seq, expert, b.score});
    } else if (type == "spotcheck.recorded") {
      t.spot_checks.push_back({seq, b.passed});
    } else {
      t.objections.push_back({seq, b.text, std::nullopt, false});
      s.objections[seq] = {b.unit_id, b.campaign, review};
    }
  } else if (type == "publication.issued") {
    c.publications.push_back(seq);
    for (const std::string& id : b.unit_ids) {
      Track& t = RequireTrack(TouchUnit(s, id, seq, type), b.campaign);
      t.published_seq = seq;
      t.objection_deadline = b.objection_deadline;
    }
  } else if (type == "objection.resolved") {
    const ObjectionRef& ref = s.objections.at(b.objection);
    Unit& u = TouchUnit(s, ref.unit, seq, type);
    Track& t = ref.review ? static_cast<Track&>(u.reviews.at(b.campaign)) : static_cast<Track&>(u.applications.at(b.campaign));
    for (Objection& o : t.objections) {
      if (o.seq == b.objection) {
        o.resolved_seq = seq;
        o.upheld = b.upheld;
      }
    }
    if (b.upheld) t.rejected_seq = seq;
  } else if (type == "title.granted") {
    for (const UnitDescriptor& d : b.descriptors) {
      Unit& u = TouchUnit(s, d.id, seq, type);
      u.d = d;
      u.titles[b.campaign] = Title{seq};
    }
    for (const std::string& id : b.unit_ids) {
      Unit& u = TouchUnit(s, id, seq, type);
      u.applications.at(b.campaign).granted_seq = seq;
      u.titles[b.campaign] = Title{seq};
    }
  } else if (type == "review.requested") {
    Unit& u = TouchUnit(s, b.unit_id, seq, type);
    u.reviews[b.campaign].requested_seq = seq;
    c.review_requested[u.d.authority].insert(u.d.id);
  } else if (type == "review.recommended") {
    Unit& u = TouchUnit(s, b.unit_id, seq, type);
    u.reviews.at(b.campaign).recommended_seq = seq;
    ++c.review_recommended[u.d.authority];
  } else if (type == "review.passed") {
    for (const std::string& id : b.unit_ids) TouchUnit(s, id, seq, type).reviews.at(b.campaign).passed_seq = seq;
  } else if (type == "title.revoked") {
    Unit& u = TouchUnit(s, b.unit_id, seq, type);
    for (auto& [granted_in, title] : u.titles) {
      const bool in_scope = granted_in == b.campaign ||
                            (c.rules.review && std::count(c.rules.review->batches.begin(), c.rules.review->batches.end(), granted_in));
      if (in_scope && title.active()) {
        title.revoked_seq = seq;
        title.revoked_in = b.campaign;
        title.reason = b.text;
        title.note = b.note;
      }
    }
  }
}

void ApplyBody(State& s, const Entry& entry, const Body& b) {
  const std::string& type = entry.type();
  if (type == "actor.registered") {
    Actor a = b.actor;
    a.registered_seq = entry.seq;
    s.active_keys[a.key.raw()] = a.id;
    s.actors[a.id] = std::move(a);
  } else if (type == "actor.revoked") {
    Actor& a = s.actors.at(b.actor_id);
    a.revoked_seq = entry.seq;
    s.active_keys.erase(a.key.raw());
  } else if (type == "campaign.opened" || type == "campaign.amended") {
    Campaign& c = type == "campaign.opened" ? s.campaigns[b.campaign] : s.campaigns.at(b.campaign);
    if (type == "campaign.opened") {
      c.id = b.campaign;
      c.opened_seq = entry.seq;
    } else {
      c.amended_seqs.push_back(entry.seq);
    }
    c.rules = b.rules;
    c.rules_json = b.rules_json;
    c.rules_seq = entry.seq;
  } else if (type == "quota.exception") {
    s.campaigns.at(b.campaign).exceptions.push_back({entry.seq, b.authority, b.category, b.extra, b.text});
  } else {
    ApplyUnitEvent(s, entry, b);
  }
}

}  // namespace

Status Apply(State& s, const Entry& entry, const Body* parsed) {
  if (entry.seq != s.size) {
    return Status(Code::kDataLoss, "entry " + std::to_string(entry.seq) + " applied to state of size " + std::to_string(s.size));
  }
  const std::string& type = entry.type();
  try {
    if (type == "ledger.genesis") {
      PL_RETURN_IF_ERROR(ApplyGenesis(s, entry));
    } else if (parsed) {
      ApplyBody(s, entry, *parsed);
    } else {
      Result<Body> body = ParseBody(type, entry.body());
      if (!body.ok()) return Status(Code::kDataLoss, "entry " + std::to_string(entry.seq) + ": " + body.status().message());
      ApplyBody(s, entry, *body);
    }
  } catch (const std::exception&) {
    return Status(Code::kDataLoss, "entry " + std::to_string(entry.seq) + " refers to something the log does not hold");
  }
  s.size = entry.seq + 1;
  s.last_received = entry.received;
  return Status::Ok();
}

}  // namespace pilotledger::projections
