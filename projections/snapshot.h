#pragma once

#include "ledger/canonical_json.h"
#include "ledger/status.h"
#include "projections/state.h"

namespace pilotledger::projections {

// The version of how entries are applied (Check/Apply). Raise it whenever a change would derive a
// different state from the same log: snapshots of another version are not used (the log is replayed).
inline constexpr int kApplyVersion = 7;

// The whole state as JSON, so that a replay can resume from it (the server's snapshot in RocksDB,
// an auditor's state file). Deterministic: equal states give equal canonical bytes.
Json StateToJson(const State& state);
// Rebuilds a state from StateToJson's output. Errors: kDataLoss naming what is wrong.
// Source::kStored only for bytes whose origin is proven (the server's snapshot, signed by the
// ledger key): the actors' keys are then not checked again for their curve point.
Result<State> StateFromJson(const Json& json, Source source = Source::kSubmitted);
// The same state in a compact binary form: the server's snapshot (x/snapshot, docs/storage.md),
// written and read without a JSON DOM (docs/performance.md, "A binary snapshot"). Deterministic
// too: equal states give equal bytes. It starts with kBinaryStateMagic, which no JSON text does.
inline constexpr std::string_view kBinaryStateMagic = "PLSTATE\x03";
// The form before 2026-12-04, with the units as one list (still read: an upgrade does not replay).
inline constexpr std::string_view kBinaryStateMagicV2 = "PLSTATE\x02";
// The units per block of the binary form (a load decodes the blocks on every core).
inline constexpr size_t kUnitsPerBlock = 1024;
// Whether `bytes` start as the binary form does (either version).
inline bool IsBinaryState(std::string_view bytes) {
  return bytes.starts_with(kBinaryStateMagic) || bytes.starts_with(kBinaryStateMagicV2);
}
std::string StateToBinary(const State& state);
// Rebuilds a state from StateToBinary's output. Errors: kDataLoss naming what is wrong (a
// truncated or malformed encoding, another apply version). Source as for StateFromJson: with
// kSubmitted every actor's key is checked for its curve point (the rest is taken as written:
// only the server's signed snapshot and `pilotledgerd rebuild`, which compares the state with a
// replay, read this form).
Result<State> StateFromBinary(std::string_view bytes, Source source = Source::kSubmitted);
// The ledger keys in order (GET /v1/ledger-keys): [{"key","from"}, {"key","from","rotated_at"}, …],
// `rotated_at` being the seq of the ledger.key_rotated entry that introduced the key.
Json LedgerKeysJson(const State& state);

}  // namespace pilotledger::projections
