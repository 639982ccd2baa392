#include "projections/check.h"

#include "ledger/note.h"
#include "projections/bodies.h"
#include "projections/body_schema.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

Status Transition(const std::string& message) { return RuleViolation("invalid_transition", message); }

// The unit a scoped policy slot refers to; unresolved if the body or the unit is unknown.
UnitScope ResolveScope(const State& state, const SignedEvent& event) {
  UnitScope scope;
  if (!IsUnitScopedType(event.type)) return scope;
  const Json& body = event.body();
  if (event.type == "submission.filed") {
    const Json unit = body.value("unit", Json::object());
    if (unit.is_object() && unit.value("id", Json()).is_string() && unit.value("authority", Json()).is_string()) {
      // A unit the ledger knows answers to its recorded authority, whatever the body claims.
      const Unit* known = state.FindUnit(unit["id"].get<std::string>());
      scope = {true, unit["id"].get<std::string>(), known ? known->d.authority : unit["authority"].get<std::string>()};
    }
    return scope;
  }
  if (body.contains("unit_id") && body["unit_id"].is_string()) {
    if (const Unit* u = state.FindUnit(body["unit_id"].get<std::string>())) scope = {true, u->d.id, u->d.authority};
  }
  return scope;
}

// Who answers for an actor, whatever the policy allows for actor events in general: a ministry
// actor is registered or retired by the three ministries together (otherwise one ministry could
// register stand-ins for the other two and take every joint decision alone), and a provincial
// department by the ministry of its line (MIIT for industry and IT, MCA for civil affairs, NHC for
// health), so that no ministry can make up a region's other departments and recommend alone.
Status CheckActorAuthority(const State& state, const SignedEvent& event, const std::vector<const Actor*>& signers) {
  const Json& body = event.body();
  std::string role, department;
  if (event.type == "actor.registered") {
    role = body.value("role", Json()).is_string() ? body["role"].get<std::string>() : "";
    department = body.value("department", Json()).is_string() ? body["department"].get<std::string>() : "";
  } else if (event.type == "actor.revoked" && body.contains("actor") && body["actor"].is_string()) {
    if (const Actor* a = state.FindActor(body["actor"].get<std::string>())) {
      role = a->role;
      department = a->department;
    }
  }
  std::vector<std::string> needed;
  if (role == "ministry") needed = {"miit", "mca", "nhc"};
  if (role == "soe_group") needed = {"miit"};  // central SOE groups report to MIIT (DOMAIN.md)
  if (role == "provincial") {
    if (department == "miit") needed = {"miit"};
    if (department == "civil") needed = {"mca"};
    if (department == "health") needed = {"nhc"};
  }
  for (const std::string& ministry : needed) {
    bool signed_by = false;
    for (const Actor* a : signers) signed_by = signed_by || (a->role == "ministry" && a->department == ministry);
    if (!signed_by) {
      return Status(Code::kForbidden, event.type + " of a " + role + (department.empty() ? "" : " " + department) +
                                          " actor needs the signature of ministry " + ministry +
                                          (role == "ministry" ? " (the three ministries together)" : role == "soe_group" ? " (SOE groups report to MIIT)" : " (the ministry of its line)"));
    }
  }
  return Status::Ok();
}

Status CheckSignaturesAndPolicy(const State& state, const SignedEvent& event, std::vector<const Actor*>& signers) {
  const std::string input = SigningInput(event.canonical);
  for (const Signature& sig : event.sigs) {
    const Actor* actor = state.FindActor(sig.signer);
    if (!actor) return Status(Code::kUnknownSigner, "signer " + sig.signer + " is not a registered actor");
    const bool cached = sig.verified_key && *sig.verified_key == actor->key.raw();
    if (!cached && !actor->key.Verify(input, sig.sig)) {
      return Status(Code::kBadSignature, "the signature of " + sig.signer + " does not verify", {{"signer", sig.signer}});
    }
    signers.push_back(actor);
  }
  for (const Actor* a : signers) {
    if (!a->active()) {
      return Status(Code::kForbidden, "actor " + a->id + " was revoked at entry " + std::to_string(*a->revoked_seq) +
                                          " and signs nothing");
    }
  }
  PL_RETURN_IF_ERROR(Authorize(state.policy, event.type, signers, ResolveScope(state, event)));
  return CheckActorAuthority(state, event, signers);
}

Status CheckActorRules(const State& state, const std::string& type, const Body& b) {
  if (type == "actor.registered") {
    if (state.FindActor(b.actor.id)) return Transition("actor " + b.actor.id + " is already registered");
    if (const auto it = state.active_keys.find(b.actor.key.raw()); it != state.active_keys.end()) {
      return Transition("the public key is already registered to actor " + it->second);
    }
    return Status::Ok();
  }
  const Actor* a = state.FindActor(b.actor_id);
  if (!a) return Transition("no actor " + b.actor_id + " to revoke");
  if (!a->active()) return Transition("actor " + b.actor_id + " was already revoked at entry " + std::to_string(*a->revoked_seq));
  return Status::Ok();
}

Status CheckCampaignRules(const State& state, const std::string& type, const Body& b) {
  const Campaign* c = state.FindCampaign(b.campaign);
  if (type == "campaign.opened") {
    if (c) return Transition("campaign " + b.campaign + " was already opened at entry " + std::to_string(c->opened_seq));
  } else if (!c) {
    return RuleViolation("unknown_campaign", "no campaign " + b.campaign + " has been opened");
  }
  if (type == "campaign.amended" && c->rules.historical != b.rules.historical) {
    return Transition("an amendment cannot change whether campaign " + b.campaign + " is historical");
  }
  if (type == "campaign.opened" || type == "campaign.amended") {
    if (b.rules.review) {
      for (const std::string& batch : b.rules.review->batches) {
        if (!state.FindCampaign(batch)) {
          return RuleViolation("unknown_campaign", "the review covers campaign " + batch + ", which has not been opened");
        }
      }
    }
    return Status::Ok();
  }
  // quota.exception
  if (c->rules.historical) return Transition("campaign " + b.campaign + " is historical and has no quotas");
  const std::string kind = c->rules.AuthorityKind(b.authority);
  if (kind.empty()) return SchemaViolation("authority", "campaign " + b.campaign + " knows no authority " + b.authority);
  if (kind == "soe_group") {
    const Actor* g = state.FindActor(b.authority.substr(kSoeAuthorityPrefix.size()));
    if (!g || g->role != "soe_group") return SchemaViolation("authority", b.authority + " is not a registered SOE group");
  }
  const bool ok = b.category == "review" ? c->rules.review.has_value()
                                         : (kind == "soe_group" ? b.category == "total" : c->rules.HasCategory(b.category));
  if (!ok) return SchemaViolation("category", "campaign " + b.campaign + " has no " + b.category + " places for " + b.authority);
  return Status::Ok();
}

}  // namespace

void PreverifySignatures(SignedEvent& event, const std::function<std::optional<PublicKey>(const std::string&)>& active_key) {
  const std::string input = SigningInput(event.canonical);
  for (Signature& sig : event.sigs) {
    const std::optional<PublicKey> key = active_key(sig.signer);
    if (key && key->Verify(input, sig.sig)) sig.verified_key = key->raw();
  }
}

Status Check(const State& state, const SignedEvent& event, Timestamp now, Body* parsed) {
  if (event.type == kGenesisType) return Status(Code::kForbidden, "the genesis entry is written by init, never appended");
  std::vector<const Actor*> signers;
  PL_RETURN_IF_ERROR(CheckSignaturesAndPolicy(state, event, signers));
  PL_ASSIGN_OR_RETURN(Body body, ParseBody(event.type, event.body()));
  Status s;
  if (event.type == "actor.registered" || event.type == "actor.revoked") {
    s = CheckActorRules(state, event.type, body);
  } else if (event.type == "campaign.opened" || event.type == "campaign.amended" || event.type == "quota.exception") {
    s = CheckCampaignRules(state, event.type, body);
  } else {
    s = internal::CheckUnitRules(state, event, body, now);
  }
  if (s.ok() && parsed) *parsed = std::move(body);
  return s;
}

Status CheckGenesisBody(const Json& body) {
  BodyReader r(body, "");
  PL_RETURN_IF_ERROR(r.OnlyFields({"origin", "ledger_key", "authorities", "policy"}));
  PL_ASSIGN_OR_RETURN(std::string origin, r.String("origin"));
  PL_ASSIGN_OR_RETURN(std::string key, r.String("ledger_key"));
  Result<note::Verifier> v = note::ParseVerifierKey(key);
  if (!v.ok() || v->name != origin) return SchemaViolation("ledger_key", "ledger_key must be the verifier key of the origin");
  if (!r.Has("authorities") || !r.Get("authorities").is_array() || r.Get("authorities").empty()) {
    return SchemaViolation("authorities", "authorities must be a non-empty list of actor descriptors");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < r.Get("authorities").size(); ++i) {
    const std::string where = "authorities[" + std::to_string(i) + "]";
    PL_ASSIGN_OR_RETURN(Actor a, ParseActor(r.Get("authorities")[i], where));
    if (!ids.insert(a.id).second) return SchemaViolation(where + ".actor", "actor " + a.id + " is listed twice");
  }
  if (!r.Has("policy")) return SchemaViolation("policy", "missing field policy");
  return ParsePolicy(r.Get("policy")).status();
}

}  // namespace pilotledger::projections
