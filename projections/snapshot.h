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
// The ledger keys in order (GET /v1/ledger-keys): [{"key","from"}, {"key","from","rotated_at"}, …],
// `rotated_at` being the seq of the ledger.key_rotated entry that introduced the key.
Json LedgerKeysJson(const State& state);

}  // namespace pilotledger::projections
