#include "server/snapshots.h"

#include "projections/apply.h"
#include "projections/snapshot.h"

namespace pilotledger::server {

Status WriteSnapshot(ledger::Store& store, const projections::State& state, bool sync) {
  ledger::WriteBatch batch;
  batch.Put(kSnapshotKey, WriteCanonical(projections::StateToJson(state)));
  return store.Write(batch, sync);
}

Result<std::optional<projections::State>> LoadSnapshot(const ledger::Store& store) {
  PL_ASSIGN_OR_RETURN(auto bytes, store.Get(kSnapshotKey));
  if (!bytes) return std::optional<projections::State>();
  Result<Json> j = ParseStrictJson(*bytes);
  if (!j.ok()) return Status(Code::kDataLoss, "the snapshot does not parse: " + j.status().message());
  PL_ASSIGN_OR_RETURN(projections::State state, projections::StateFromJson(*j));
  return std::optional<projections::State>(std::move(state));
}

Status Replay(const ledger::Log& log, projections::State& state, uint64_t until) {
  for (uint64_t from = state.size; from < until; from += 1000) {
    PL_ASSIGN_OR_RETURN(auto leaves, log.ReadLeaves(from, std::min<uint64_t>(1000, until - from)));
    for (const std::string& leaf : leaves) {
      PL_ASSIGN_OR_RETURN(Entry entry, ParseEntryLeaf(leaf));
      if (Status st = projections::Apply(state, entry); !st.ok()) {
        return Status(Code::kDataLoss, "replaying the log: " + st.message());
      }
    }
  }
  return Status::Ok();
}

}  // namespace pilotledger::server
