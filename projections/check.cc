#include "projections/check.h"

#include "ledger/note.h"
#include "projections/bodies.h"
#include "projections/body_schema.h"
#include "projections/internal/check_rules.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace internal {

Status Transition(const std::string& message) { return RuleViolation("invalid_transition", message); }

std::string Seq(uint64_t seq) { return "entry " + std::to_string(seq); }

Status UnderProvisionalRules(const RuleContext& x, const Body& body, Status refusal) {
  const Campaign* c = std::visit(
      [&x](const auto& b) -> const Campaign* {
        if constexpr (requires { b.campaign; }) {
          return x.state.FindCampaign(b.campaign);
        } else {
          return nullptr;
        }
      },
      body.value);
  if (!c || !c->rules.provisional) return refusal;
  Json details = refusal.details().is_object() ? refusal.details() : Json::object();
  details["provisional"] = true;
  return Status(refusal.code(), refusal.message() + " (judged under campaign " + c->id + "'s provisional rules: its own thresholds are not in the sources, 2021's stand in)", details);
}

Status CheckRules(const RuleContext&, const Genesis&) {
  return Status(Code::kForbidden, "the genesis entry is written by init, never appended");
}

Status CheckRules(const RuleContext&, const KeyRotated&) {
  return Status(Code::kForbidden, "ledger.key_rotated is written by pilotledgerd rotate-key, never appended");
}

}  // namespace internal

namespace {

// A string field of a body not yet parsed; empty if it is missing or not a string.
std::string RawString(const Json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : "";
}

// The unit a scoped policy slot refers to; unresolved if the body or the unit is unknown. Read from
// the raw body: the policy is checked before the body.
UnitScope ResolveScope(const State& state, const SignedEvent& event) {
  UnitScope scope;
  const Json& body = event.body();
  switch (UnitScopeOf(event.kind)) {
    case ScopeSource::kNone:
      break;
    case ScopeSource::kUnitDescriptor: {
      const Json unit = body.value("unit", Json::object());
      if (unit.is_object() && unit.value("id", Json()).is_string() && unit.value("authority", Json()).is_string()) {
        // A unit the ledger knows answers to its recorded authority, whatever the body claims.
        const Unit* known = state.FindUnit(unit["id"].get<std::string>());
        scope = {true, unit["id"].get<std::string>(), known ? known->d.authority : unit["authority"].get<std::string>()};
      }
      break;
    }
    case ScopeSource::kUnitId:
      if (const Unit* u = state.FindUnit(RawString(body, "unit_id"))) scope = {true, u->d.id, u->d.authority};
      break;
    case ScopeSource::kAuthority:
      if (!RawString(body, "authority").empty()) scope = {true, "", RawString(body, "authority")};
      break;
  }
  return scope;
}

// The role and department of the actor an actor event registers or retires (from the raw body and
// the state); empty for the other events.
struct ActorConcerned {
  std::string role;
  std::string department;
};

ActorConcerned Concerned(const State& state, const SignedEvent& event) {
  const Json& body = event.body();
  return std::visit(
      Overloaded{[&](const ActorRegistered&) { return ActorConcerned{RawString(body, "role"), RawString(body, "department")}; },
                 [&](const ActorRevoked&) {
                   const Actor* a = state.FindActor(RawString(body, "actor"));
                   return a ? ActorConcerned{a->role, a->department} : ActorConcerned{};
                 },
                 [](const AnyOf<Genesis, KeyRotated, CampaignOpened, CampaignAmended, QuotaExceptionGranted, SubmissionFiled,
                                RecommendationIssued, ReviewRequested, ReviewRecommended, ScoreRecorded, SpotcheckRecorded,
                                PublicationIssued, ObjectionFiled, ObjectionResolved, TitleGranted, ReviewPassed,
                                TitleRevoked, ReviewScope, ReviewRequirementsSet, ApplicationRejected, ReviewFailed,
                                CampaignClosed, AssessmentRecorded> auto&) { return ActorConcerned{}; }},
      EmptyBody(event.kind).value);
}

// Who answers for an actor, whatever the policy allows for actor events in general: a ministry
// actor is registered or retired by the three ministries together (otherwise one ministry could
// register stand-ins for the other two and take every joint decision alone), and a provincial
// department by the ministry of its line (MIIT for industry and IT, MCA for civil affairs, NHC for
// health), so that no ministry can make up a region's other departments and recommend alone.
Status CheckActorAuthority(const State& state, const SignedEvent& event, const std::vector<const Actor*>& signers) {
  const auto [role, department] = Concerned(state, event);
  std::vector<std::string> needed;
  if (role == "ministry") needed = {"miit", "mca", "nhc"};
  if (role == "soe_group") needed = {"miit"};  // central SOE groups report to MIIT (DOMAIN.md)
  if (role == "provincial" && !MinistryOfLine(department).empty()) needed = {MinistryOfLine(department)};
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
  std::string input;  // built only if a signature was not pre-verified under the signer's key
  for (const Signature& sig : event.sigs) {
    const Actor* actor = state.FindActor(sig.signer);
    if (!actor) return Status(Code::kUnknownSigner, "signer " + sig.signer + " is not a registered actor");
    const bool cached = sig.verified_key && *sig.verified_key == actor->key.raw();
    if (!cached && input.empty()) input = SigningInput(event.canonical);
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

}  // namespace

void PreverifySignatures(SignedEvent& event, const std::function<std::optional<PublicKey>(const std::string&)>& active_key) {
  const std::string input = SigningInput(event.canonical);
  for (Signature& sig : event.sigs) {
    const std::optional<PublicKey> key = active_key(sig.signer);
    if (key && key->Verify(input, sig.sig)) sig.verified_key = key->raw();
  }
}

namespace {

// CheckContent with the body parsed.
Status CheckParsedContent(const State& state, const SignedEvent& event, Timestamp now, Result<Body>&& parsed_body, Body* parsed) {
  if (event.kind == EventType::kGenesis) return internal::CheckRules({state, event, now}, Genesis{});
  PL_ASSIGN_OR_RETURN(Body body, std::move(parsed_body));
  const internal::RuleContext x{state, event, now};
  Status s = std::visit([&x](const auto& b) { return internal::CheckOpenRound(x, b); }, body.value);
  if (s.ok()) s = std::visit([&x](const auto& b) { return internal::CheckRequiredDocuments(x, b); }, body.value);
  if (s.ok()) s = std::visit([&x](const auto& b) { return internal::CheckRules(x, b); }, body.value);
  if (!s.ok()) return internal::UnderProvisionalRules(x, body, std::move(s));
  if (parsed) *parsed = std::move(body);
  return s;
}

}  // namespace

Status Check(const State& state, const SignedEvent& event, Timestamp now, Result<Body>&& body, Body* parsed) {
  if (event.kind == EventType::kGenesis) return internal::CheckRules({state, event, now}, Genesis{});
  if (event.kind == EventType::kKeyRotated) return internal::CheckRules({state, event, now}, KeyRotated{});
  std::vector<const Actor*> signers;
  PL_RETURN_IF_ERROR(CheckSignaturesAndPolicy(state, event, signers));
  return CheckParsedContent(state, event, now, std::move(body), parsed);
}

Result<Body> ParseBodyForCheck(const SignedEvent& event) {
  if (event.kind == EventType::kGenesis || event.kind == EventType::kKeyRotated) return Body{};
  return ParseBody(event.kind, event.body());
}

Status Check(const State& state, const SignedEvent& event, Timestamp now, Body* parsed) {
  return Check(state, event, now, ParseBodyForCheck(event), parsed);
}

Status CheckContent(const State& state, const SignedEvent& event, Timestamp now, Body* parsed) {
  if (event.kind == EventType::kGenesis) return internal::CheckRules({state, event, now}, Genesis{});
  return CheckParsedContent(state, event, now, ParseBody(event.kind, event.body()), parsed);
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
