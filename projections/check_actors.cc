// The rules of actor registration and retirement.
#include "projections/internal/check_rules.h"

namespace pilotledger::projections::internal {

Status CheckRules(const RuleContext& x, const ActorRegistered& b) {
  if (x.state.FindActor(b.actor.id)) return Transition("actor " + b.actor.id + " is already registered");
  if (const auto it = x.state.active_keys.find(b.actor.key.raw()); it != x.state.active_keys.end()) {
    return Transition("the public key is already registered to actor " + it->second);
  }
  return Status::Ok();
}

Status CheckRules(const RuleContext& x, const ActorRevoked& b) {
  const Actor* a = x.state.FindActor(b.actor_id);
  if (!a) return Transition("no actor " + b.actor_id + " to revoke");
  if (!a->active()) return Transition("actor " + b.actor_id + " was already revoked at entry " + std::to_string(*a->revoked_seq));
  return Status::Ok();
}

}  // namespace pilotledger::projections::internal
