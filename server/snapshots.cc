#include "server/snapshots.h"

#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "projections/apply.h"
#include "projections/snapshot.h"

namespace pilotledger::server {
namespace {

// The signed message: a domain tag, then the SHA-256 of the snapshot's bytes.
std::string SignedMessage(std::string_view bytes) {
  const Hash digest = Sha256(bytes);
  return "pilotledger:snapshot:v1\n" + std::string(AsBytes(digest));
}

// The state from a snapshot's bytes: the binary form, or the canonical JSON that versions before
// it wrote (still read, so that an upgrade does not replay the log).
Result<projections::State> StateFromSnapshot(std::string_view bytes, projections::Source source) {
  if (bytes.starts_with(projections::kBinaryStateMagic)) return projections::StateFromBinary(bytes, source);
  Result<Json> j = ParseStrictJson(bytes);
  if (!j.ok()) return Status(Code::kDataLoss, "the snapshot does not parse: " + j.status().message());
  return projections::StateFromJson(*j, source);
}

}  // namespace

Status WriteSnapshot(ledger::Store& store, const projections::State& state, const PrivateKey& key, bool sync) {
  const std::string bytes = projections::StateToBinary(state);
  ledger::WriteBatch batch;
  batch.Put(kSnapshotKey, bytes);
  batch.Put(kSnapshotSigKey, key.Sign(SignedMessage(bytes)));
  return store.Write(batch, sync);
}

Result<StoredSnapshot> LoadSnapshot(const ledger::Store& store, const PublicKey& key) {
  PL_ASSIGN_OR_RETURN(auto bytes, store.Get(kSnapshotKey));
  if (!bytes) return StoredSnapshot{};
  PL_ASSIGN_OR_RETURN(auto sig, store.Get(kSnapshotSigKey));
  if (!sig) return StoredSnapshot{std::nullopt, "it has no signature (written by an older version)"};
  if (!key.Verify(SignedMessage(*bytes), *sig)) {
    return Status(Code::kDataLoss, "the projection snapshot (" + std::string(kSnapshotKey) +
                                       ") does not verify with the ledger key: it was altered or damaged");
  }
  Result<projections::State> state = StateFromSnapshot(*bytes, projections::Source::kStored);
  // Authentic but unusable: written by a version that applies entries differently.
  if (!state.ok()) return StoredSnapshot{std::nullopt, state.status().message()};
  return StoredSnapshot{std::move(*state), ""};
}

Result<std::optional<projections::State>> LoadSnapshotUnchecked(const ledger::Store& store) {
  PL_ASSIGN_OR_RETURN(auto bytes, store.Get(kSnapshotKey));
  if (!bytes) return std::optional<projections::State>();
  PL_ASSIGN_OR_RETURN(projections::State state, StateFromSnapshot(*bytes, projections::Source::kSubmitted));
  return std::optional<projections::State>(std::move(state));
}
Status Replay(const ledger::Log& log, projections::State& state, uint64_t until) {
  // The replayed leaves are tied to the tree's root at `until` (which Log::Open checked against the
  // signed checkpoint) through the stored border at the state's size: the state then derives only
  // from authentic bytes even when the whole log is checked later, in the background.
  const uint64_t start = state.size;
  if (start >= until) return Status::Ok();
  PL_ASSIGN_OR_RETURN(std::vector<Hash> border, log.TreeNodes(merkle::RangeNodes(0, start)));
  merkle::CompactRange range(start, std::move(border));
  for (uint64_t from = start; from < until; from += 1000) {
    PL_ASSIGN_OR_RETURN(auto leaves, log.ReadLeaves(from, std::min<uint64_t>(1000, until - from)));
    for (const std::string& leaf : leaves) {
      range.Append(merkle::HashLeaf(leaf), [](merkle::NodeId, const Hash&) {});
      PL_ASSIGN_OR_RETURN(Entry entry, ParseStoredEntryLeaf(leaf));
      if (Status st = projections::ApplyStored(state, entry); !st.ok()) {
        return Status(Code::kDataLoss, "replaying the log: " + st.message());
      }
    }
  }
  PL_ASSIGN_OR_RETURN(Hash root, log.RootAt(until));
  if (range.Root() != root) {
    return Status(Code::kDataLoss, "the entries " + std::to_string(start) + "-" + std::to_string(until - 1) +
                                       " replayed do not hash to the tree's root (a stored leaf or tree node was altered)");
  }
  return Status::Ok();
}

}  // namespace pilotledger::server
