#pragma once

#include <map>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/event.h"
#include "ledger/status.h"
#include "projections/actors.h"

namespace pilotledger::projections {

// One required signer: a role, optionally a department, optionally scoped to the event's unit
// ("unit": the unit's own applicant) or its authority ("authority": a department of the unit's
// region authority, or its SOE group).
struct PolicySlot {
  std::string role;
  std::string department;
  std::string scope;
};
// A set of slots that distinct signers must fill together.
using PolicyAlternative = std::vector<PolicySlot>;

// The signing policy of a ledger (PROTOCOL.md §5), recorded in its genesis entry: per event type,
// alternatives of which at least one must be satisfied. Immutable after parsing.
struct Policy {
  std::map<std::string, std::vector<PolicyAlternative>> rules;
};

// The default policy, following the seeds' joint decisions (PROTOCOL.md §5's table).
Json DefaultPolicyJson();
// Parses and checks a policy: every event type but ledger.genesis has at least one alternative,
// roles and departments exist, scopes are used only for unit events. Errors: kSchemaViolation.
Result<Policy> ParsePolicy(const Json& policy, const std::string& where = "policy");

// The unit an event concerns, for scoped slots. When it cannot be resolved (an unknown unit),
// scopes are not checked here: the body and rule checks refuse such an event anyway.
struct UnitScope {
  bool resolved = false;
  std::string unit_id;
  std::string authority;
};
// Whether `signers` (active, distinct) satisfy the policy for `type`. Errors: kForbidden naming
// what is required and who signed.
Status Authorize(const Policy& policy, const std::string& type, const std::vector<const Actor*>& signers,
                 const UnitScope& scope);

// Where an event names the unit its scoped slots refer to: nowhere (its slots cannot be scoped),
// the `unit` descriptor (submission.filed) or `unit_id`; or, for an authority's own decisions
// (review.requirements), the `authority` it concerns (only "authority" slots then fit).
enum class ScopeSource { kNone, kUnitDescriptor, kUnitId, kAuthority };
ScopeSource UnitScopeOf(EventType type);

// True for the event types whose slots may be scoped to a unit. False for an unknown name.
bool IsUnitScopedType(EventType type);
bool IsUnitScopedType(const std::string& type);

}  // namespace pilotledger::projections
