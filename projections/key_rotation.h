#pragma once

#include <string>

#include "ledger/event.h"
#include "ledger/status.h"

// The ledger.key_rotated entry (PROTOCOL.md §11): how rotate-key signs it and how auditors and
// watchers check it before they trust the new key.
namespace pilotledger::projections {

// The event `pilotledgerd rotate-key` appends: id "key-rotation-<n>", body {old_key, new_key}
// (verifier key strings under `origin`), signed by the old key as "ledger-key-old" and by the new
// one as "ledger-key-new".
Result<SignedEvent> MakeKeyRotation(uint64_t n, Timestamp time, const std::string& origin, const PrivateKey& old_key,
                                    const PrivateKey& new_key);

// Checks that `event` is a ledger.key_rotated from `trusted_key` (the verifier key trusted so far):
// old_key is exactly it, new_key a verifier key of the same name, and exactly two signatures, by
// "ledger-key-old" under the old key and "ledger-key-new" under the new one, both valid. Returns
// the new verifier key string. Errors: kDataLoss saying what is wrong.
Result<std::string> CheckKeyRotation(const SignedEvent& event, const std::string& trusted_key);

}  // namespace pilotledger::projections
