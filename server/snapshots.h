#pragma once

#include <optional>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/log.h"
#include "ledger/store.h"
#include "projections/state.h"

// Projection snapshots in the store, and the replay that brings a state up to the log.
namespace pilotledger::server {

// The RocksDB keys of the projection snapshot and of its signature (the log's own keys never start
// with "x").
inline constexpr std::string_view kSnapshotKey = "x/snapshot";
inline constexpr std::string_view kSnapshotSigKey = "x/snapshot-sig";

// Writes the snapshot of `state` with the ledger key's signature over it (docs/storage.md),
// together and durably, beside the store's write path (Store::Ingest), so that appends going on
// meanwhile do not wait for it.
Status WriteSnapshot(ledger::Store& store, const projections::State& state, const PrivateKey& key);

// A stored snapshot whose signature verifies under the ledger key.
struct StoredSnapshot {
  std::optional<projections::State> state;  // nullopt: there is none, or one of another version or format
  std::string ignored;                      // why a stored one is not used, if so
};
// The stored snapshot. Errors: kDataLoss, naming the key, when the snapshot's signature does not
// verify under `key` (altered or damaged) or it does not parse.
Result<StoredSnapshot> LoadSnapshot(const ledger::Store& store, const PublicKey& key);
// The stored snapshot as it is, authentic or not (for `pilotledgerd rebuild`, which compares it).
Result<std::optional<projections::State>> LoadSnapshotUnchecked(const ledger::Store& store);

// Applies the log's entries [state.size, until) to `state` as stored entries
// (projections::ApplyStored), checking that their leaves, with the stored tree border at
// state.size, fold to the tree's root at `until`. Errors: kDataLoss.
// The entries are read and parsed on `threads` threads (0: one per core; 1: on the caller's
// alone), `batch` entries at a time, and applied on the caller's thread in order.
struct ReplayOptions {
  unsigned threads = 0;
  uint64_t batch = 1000;
};
Status Replay(const ledger::Log& log, projections::State& state, uint64_t until, const ReplayOptions& options = {});

}  // namespace pilotledger::server
