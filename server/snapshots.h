#pragma once

#include <optional>
#include <string_view>

#include "ledger/log.h"
#include "ledger/store.h"
#include "projections/state.h"

// Projection snapshots in the store, and the replay that brings a state up to the log.
namespace pilotledger::server {

// The RocksDB key of the projection snapshot (the log's own keys never start with "x").
inline constexpr std::string_view kSnapshotKey = "x/snapshot";

// Writes the snapshot of `state`; unsynced is enough while serving (a lost snapshot only means a
// longer replay at the next start).
Status WriteSnapshot(ledger::Store& store, const projections::State& state, bool sync);
// The stored snapshot, or nullopt if there is none. Errors: kDataLoss if it is unreadable.
Result<std::optional<projections::State>> LoadSnapshot(const ledger::Store& store);
// Applies the log's entries [state.size, until) to `state`. Errors: kDataLoss.
Status Replay(const ledger::Log& log, projections::State& state, uint64_t until);

}  // namespace pilotledger::server
