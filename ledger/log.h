#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/histogram.h"
#include "ledger/merkle.h"
#include "ledger/node_cache.h"
#include "ledger/store.h"

namespace pilotledger::ledger {

// What the id index remembers of an appended event: where it is and what it was.
struct IdRecord {
  uint64_t seq = 0;
  Hash event_hash{};  // SHA-256(canonical(event))
  Timestamp received;
};

// An entry as appended: its leaf bytes and leaf hash.
struct AppendedLeaf {
  uint64_t seq = 0;
  std::string leaf;
  Hash leaf_hash{};
};

// What Log::Open checks of the stored log before it serves (docs/reliability.md, "Start-up").
enum class OpenCheck {
  // Everything, O(N): every leaf canonical and hashing to its stored tree node, every node, every
  // id record, the root against the signed checkpoint.
  kFull,
  // O(log N): the checkpoint's signature, and its root folded from the stored tree nodes of the
  // right border (the compact range). VerifyStored() does the rest, in the background.
  kBorder,
  // Nothing (only the tests' server that serves a tampered log to the auditors' tools).
  kNone,
};

// The append-only log: entries, the RFC 9162 tree kept as its perfect subtrees, the event-id
// index and the latest signed checkpoint, all in one Store.
// Thread-safety: readers may run on any thread and see only committed entries; Append() is for
// one writer thread (the Sequencer).
class Log {
 public:
  // Creates a ledger in an empty `store` whose entry 0 is `genesis` (no signatures), received at
  // `received`, with its checkpoint signed by `key` under `origin`. Errors: kInvalidArgument if
  // the store already holds a ledger; storage errors.
  static Status Create(Store& store, const PrivateKey& key, const std::string& origin,
                       const SignedEvent& genesis, Timestamp received);

  // Opens the ledger in `store` (which must outlive the Log), checking that every stored leaf
  // hashes to its stored tree node, that the tree's root and size equal the latest checkpoint's,
  // and that the checkpoint is signed by `key`. Errors: kNotFound (no ledger), kDataLoss naming
  // the first disagreement. `verify` = false skips these checks: only for the tests' server that
  // serves a tampered log to the auditors' tools (tests/support/unverified_server.cc).
  static Result<std::unique_ptr<Log>> Open(Store& store, const PrivateKey& key, bool verify = true) {
    return Open(store, key, verify ? OpenCheck::kFull : OpenCheck::kNone);
  }
  static Result<std::unique_ptr<Log>> Open(Store& store, const PrivateKey& key, OpenCheck check);
  // The checks kFull makes at open, over the entries [0, size()) as of the call, while appends go
  // on (any thread): every leaf canonical and hashing to its stored tree node, the root at the
  // size Open verified equal to that checkpoint's, and the id records of those entries. Id
  // records of entries appended after the call are not part of it. Returns early, Ok, once `stop`
  // is set. Errors: kDataLoss naming the first disagreement; storage errors.
  Status VerifyStored(const std::atomic<bool>& stop) const;
  // The latest checkpoint as stored, unverified (to find which key signed it after an interrupted
  // key rotation). Errors: kNotFound (no ledger); storage errors.
  static Result<std::string> StoredCheckpoint(const Store& store);

  // The number of committed entries.
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  const std::string& origin() const { return origin_; }
  // The verifier key string of the ledger key (PROTOCOL.md §4).
  const std::string& verifier_key() const { return verifier_key_; }
  // The latest signed checkpoint (covers size() entries).
  std::shared_ptr<const std::string> signed_checkpoint() const;
  // The time the last committed entry was received (the ledger clock never runs backwards).
  Timestamp last_received() const { return Timestamp{last_received_ms_.load(std::memory_order_acquire)}; }

  // Errors for the readers: kNotFound beyond size(), kInvalidArgument for impossible ranges,
  // kDataLoss for missing or corrupt stored data.
  Result<std::string> ReadLeaf(uint64_t seq) const;
  // Up to `limit` leaves from `from`, stopping at size().
  // kind: ReadKind::kBulk for a pass over much of the log (the replay), whose blocks then stay out
  // of the block cache.
  Result<std::vector<std::string>> ReadLeaves(uint64_t from, uint64_t limit, ReadKind kind = ReadKind::kCached) const;
  Result<Hash> LeafHash(uint64_t seq) const;
  Result<Hash> RootAt(uint64_t tree_size) const;
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) const;
  Result<std::optional<IdRecord>> FindId(std::string_view id) const;
  // The stored hashes of perfect subtrees (REQUIRES: each complete within size()), for tiles.
  Result<std::vector<Hash>> TreeNodes(const std::vector<merkle::NodeId>& ids) const { return ReadNodes(ids); }

  // Appends `entries` (REQUIRES: their seqs are size(), size()+1, …) with their tree nodes, id
  // records and a new checkpoint in one synced write. On error nothing is visible and the log is
  // unchanged in memory; the failed write may still sit in the store's write-ahead log, so the next
  // Append first asks the store to recover and erases whatever that write could have left
  // (Recover()). Writer thread only.
  Result<std::vector<AppendedLeaf>> Append(const std::vector<Entry>& entries);
  // After a failed Append: lets the store take writes again and durably erases the keys the failed
  // write staged, so that its entries can never reappear (a restart replaying the store's
  // write-ahead log would otherwise find them). Ok when nothing is pending. Writer thread only.
  Status Recover();
  // Appends `entry` (a ledger.key_rotated) as Append does, but with its checkpoint signed by
  // `new_key`, which then signs every later checkpoint. Offline only (pilotledgerd rotate-key): the
  // verifier key changes under readers.
  Result<AppendedLeaf> AppendRotation(const Entry& entry, const PrivateKey& new_key);

  // How long each synced write took (for /metrics).
  const Histogram& sync_seconds() const { return sync_seconds_; }

 private:
  Log(Store& store, PrivateKey key, std::string origin);
  Status Load(OpenCheck check);
  Status LoadBorder(uint64_t size, const Hash& root);
  // Rebuilds `range` from the leaves [0, size); with `verify`, checks every leaf and tree node on
  // the way, the root at opened_size_ and the id records. Without `stop` (at open) the whole
  // entry prefix is scanned (an entry beyond `size` is corruption) and every id record counts;
  // with it (VerifyStored) only [0, size), and setting it ends the scan early (Ok, *stopped).
  Status ScanLeaves(uint64_t size, bool verify, merkle::CompactRange& range, int64_t& last_received,
                    const std::atomic<bool>* stop, bool* stopped) const;
  Status CheckIdRecords(uint64_t size, const Hash& expected, bool all) const;
  // The hashes of perfect subtrees for proofs and tiles: the upper levels from the cache, the
  // lower ones computed from the leaf hashes they cover (one store range per block of
  // 2^NodeCache::kLowestLevel leaves), whatever else from the store.
  Result<std::vector<Hash>> ReadNodes(const std::vector<merkle::NodeId>& ids) const;
  // The stored nodes themselves, one read each (the start's border check).
  Result<std::vector<Hash>> ReadStoredNodes(const std::vector<merkle::NodeId>& ids) const;
  // Fills the cache with the stored nodes of its levels, for a tree of `size` leaves.
  Status LoadCache(uint64_t size);
  Result<std::vector<AppendedLeaf>> AppendSigned(const std::vector<Entry>& entries, const PrivateKey& key);

  Store& store_;
  PrivateKey key_;  // changes only in AppendRotation
  const std::string origin_;
  std::string verifier_key_;
  uint64_t opened_size_ = 0;  // the size and root of the checkpoint Open verified
  Hash opened_root_{};
  merkle::CompactRange range_;  // writer only
  std::atomic<uint64_t> size_{0};
  std::atomic<int64_t> last_received_ms_{0};
  mutable std::mutex checkpoint_mu_;
  std::shared_ptr<const std::string> checkpoint_;  // guarded by checkpoint_mu_
  Histogram sync_seconds_;
  NodeCache cache_;
  // The keys a failed Append staged, to erase before the next write; writer only.
  std::vector<std::string> undo_;
};

}  // namespace pilotledger::ledger
