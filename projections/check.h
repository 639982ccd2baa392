#pragma once

#include <memory>
#include <string>
#include <functional>
#include <optional>

#include "ledger/event.h"
#include "projections/state.h"

namespace pilotledger::projections {

struct Body;

// Verifies each signature of `event` whose signer `active_key` knows and records the key it
// verified under in Signature::verified_key; leaves the rest for Check. Thread-safe if
// `active_key` is; costs one Ed25519 verification per signature, so request threads run it
// before sequencing.
void PreverifySignatures(SignedEvent& event, const std::function<std::optional<PublicKey>(const std::string&)>& active_key);

// Whether `event`, received at `now`, may follow everything in `state`, checked in PROTOCOL.md §7's
// order: the signatures (kUnknownSigner, kBadSignature; a signature pre-verified under the
// signer's current key is not verified again), the signing policy (kForbidden, including revoked
// signers and wrong jurisdictions), the body (kSchemaViolation with details.field), and the rules
// (kRuleViolation with details.rule). Pure: an auditor replaying the log (pilotctl verify) calls it
// with each entry's `received` and must see every entry accepted.
// With `parsed`, the parsed body of an accepted event is left there for Apply.
Status Check(const State& state, const SignedEvent& event, Timestamp now, Body* parsed = nullptr);
// The same with the body already parsed by ParseBodyForCheck(event), which depends on nothing but
// the event, so request threads run it before sequencing (for a registration it includes the new
// key's curve-point check). Same answers, in the same order.
Status Check(const State& state, const SignedEvent& event, Timestamp now, Result<Body>&& body, Body* parsed);
// The body as Check reads it: ParseBody(event.kind, event.body()), or an empty Body for the
// genesis and the key rotation, whose rules read no parsed body.
Result<Body> ParseBodyForCheck(const SignedEvent& event);

// Check's last two steps, the body and the rules, without the signatures and the policy: whether
// an event not yet signed would be admitted content-wise (POST /v1/check, pilotctl import-table).
Status CheckContent(const State& state, const SignedEvent& event, Timestamp now, Body* parsed = nullptr);

// Checks a genesis body {origin, ledger_key, authorities, policy} as `init` writes it.
Status CheckGenesisBody(const Json& body);

}  // namespace pilotledger::projections
