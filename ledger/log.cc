#include "ledger/log.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/note.h"

namespace pilotledger::ledger {
namespace {

// Storage layout (docs/storage.md). Stored: never change these prefixes.
constexpr std::string_view kEntryPrefix = "e";     // e + be64(seq) -> leaf bytes
constexpr std::string_view kNodePrefix = "n";      // n + level + be64(index) -> 32-byte hash
constexpr std::string_view kIdPrefix = "i";        // i + event id -> be64(seq) ‖ event hash ‖ be64(received ms)
constexpr std::string_view kSizeKey = "m/size";    // be64(size)
constexpr std::string_view kCheckpointKey = "m/checkpoint";
constexpr std::string_view kOriginKey = "m/origin";

std::string EntryKey(uint64_t seq) { return std::string(kEntryPrefix) + EncodeBigEndian64(seq); }
std::string NodeKey(merkle::NodeId id) {
  return std::string(kNodePrefix) + char(id.level) + EncodeBigEndian64(id.index);
}
std::string IdKey(std::string_view id) { return std::string(kIdPrefix) + std::string(id); }

std::string IdValue(const IdRecord& r) {
  return EncodeBigEndian64(r.seq) + std::string(AsBytes(r.event_hash)) +
         EncodeBigEndian64(static_cast<uint64_t>(r.received.ms));
}

Status Corrupt(const std::string& what) { return Status(Code::kDataLoss, what); }

// XOR of SHA-256(key ‖ value) over a set of records: equal sets give equal digests, whatever the
// order they are visited in (the entries by seq, the id records by id).
void Fold(Hash& digest, std::string_view key, std::string_view value) {
  const Hash h = Sha256Parts({key, value});
  for (size_t i = 0; i < h.size(); ++i) digest[i] ^= h[i];
}

Hash ToHash(std::string_view bytes) {
  Hash h{};
  std::memcpy(h.data(), bytes.data(), h.size());
  return h;
}

// A put of a batch in the making: the key, and the value (the leaf is viewed, not copied).
struct StagedPut {
  std::string key;
  std::string value;
  std::string_view leaf;
  std::string_view bytes() const { return leaf.empty() ? std::string_view(value) : leaf; }
};

// The puts shared by Create and Append: entry, its tree nodes, its id record, added to `puts`
// (`leaf` must outlive them). With `cached`, the nodes of the cache's levels are added there too.
void StageEntry(const Entry& entry, const std::string& leaf, const Hash& leaf_hash, merkle::CompactRange& range,
                std::vector<StagedPut>& puts, std::vector<std::pair<merkle::NodeId, Hash>>* cached = nullptr) {
  puts.push_back({EntryKey(entry.seq), {}, leaf});
  range.Append(leaf_hash, [&](merkle::NodeId id, const Hash& h) {
    puts.push_back({NodeKey(id), std::string(AsBytes(h)), {}});
    if (cached && id.level >= NodeCache::kLowestLevel) cached->emplace_back(id, h);
  });
  const IdRecord record{entry.seq, Sha256(entry.signed_event.canonical), entry.received};
  puts.push_back({IdKey(entry.signed_event.id), IdValue(record), {}});
}

// Puts `puts` into `batch` in key order. RocksDB inserts a batch into its memtable (a skip list)
// in the batch's order and starts each insert from where the last one ended: in key order the
// entries, nodes and id records of a group are neighbours, interleaved each insert searched
// from the top (a third of the sequencer's time, by perf, before this). The keys are distinct.
void PutSorted(std::vector<StagedPut>& puts, WriteBatch& batch) {
  std::sort(puts.begin(), puts.end(), [](const StagedPut& a, const StagedPut& b) { return a.key < b.key; });
  for (const StagedPut& p : puts) batch.Put(p.key, p.bytes());
}

}  // namespace

Log::Log(Store& store, PrivateKey key, std::string origin)
    : store_(store),
      key_(std::move(key)),
      origin_(std::move(origin)),
      verifier_key_(note::VerifierKeyString(origin_, key_.public_key())) {}

Status Log::Create(Store& store, const PrivateKey& key, const std::string& origin,
                   const SignedEvent& genesis, Timestamp received) {
  if (!note::IsValidName(origin)) {
    return Status(Code::kInvalidArgument, "the origin must be non-empty UTF-8 without spaces or '+'");
  }
  PL_ASSIGN_OR_RETURN(auto existing, store.Get(kSizeKey));
  if (existing) return Status(Code::kInvalidArgument, "the store already holds a ledger");
  const Entry entry{0, received, genesis};
  const std::string leaf = EntryLeaf(entry);
  merkle::CompactRange range;
  WriteBatch batch;
  std::vector<StagedPut> puts;
  StageEntry(entry, leaf, merkle::HashLeaf(leaf), range, puts);
  PutSorted(puts, batch);
  batch.Put(kSizeKey, EncodeBigEndian64(1));
  batch.Put(kOriginKey, origin);
  batch.Put(kCheckpointKey, SignCheckpoint({origin, 1, range.Root()}, key));
  return store.Write(batch, /*sync=*/true);
}

Result<std::unique_ptr<Log>> Log::Open(Store& store, const PrivateKey& key, OpenCheck check) {
  PL_ASSIGN_OR_RETURN(auto origin, store.Get(kOriginKey));
  if (!origin) return Status(Code::kNotFound, "the store holds no ledger");
  std::unique_ptr<Log> log(new Log(store, key, *origin));
  PL_RETURN_IF_ERROR(log->Load(check));
  return log;
}

Result<std::string> Log::StoredCheckpoint(const Store& store) {
  PL_ASSIGN_OR_RETURN(auto checkpoint, store.Get(kCheckpointKey));
  if (!checkpoint) return Status(Code::kNotFound, "the store holds no ledger");
  return std::move(*checkpoint);
}

Status Log::Load(OpenCheck check) {
  PL_ASSIGN_OR_RETURN(auto size_bytes, store_.Get(kSizeKey));
  PL_ASSIGN_OR_RETURN(auto checkpoint, store_.Get(kCheckpointKey));
  if (!size_bytes || size_bytes->size() != 8 || !checkpoint) return Corrupt("ledger metadata is missing");
  const uint64_t size = DecodeBigEndian64(*size_bytes);

  PL_ASSIGN_OR_RETURN(note::Verifier verifier, note::ParseVerifierKey(verifier_key_));
  Result<Checkpoint> cp = VerifyCheckpoint(*checkpoint, verifier);
  if (check == OpenCheck::kNone) cp = Checkpoint{origin_, size, {}};
  if (!cp.ok()) {
    return Corrupt("the stored checkpoint does not verify with the ledger key (wrong key file?): " +
                   cp.status().message());
  }
  if (cp->size != size) {
    return Corrupt("the checkpoint covers " + std::to_string(cp->size) + " entries but the log has " +
                   std::to_string(size));
  }
  opened_size_ = size;
  opened_root_ = cp->root;

  int64_t last_received = 0;
  if (check == OpenCheck::kBorder) {
    PL_RETURN_IF_ERROR(LoadBorder(size, cp->root));
    PL_ASSIGN_OR_RETURN(auto last, store_.Get(EntryKey(size - 1)));
    if (!last) return Corrupt("entry " + std::to_string(size - 1) + " is missing");
    Result<Entry> entry = ParseStoredEntryLeaf(*last);
    if (!entry.ok() || entry->seq != size - 1) {
      return Corrupt("entry " + std::to_string(size - 1) + " is not the canonical leaf it was written as");
    }
    last_received = entry->received.ms;
  } else {
    // Rebuild the right border from every leaf, checking each leaf and each node on the way.
    merkle::CompactRange range;
    PL_RETURN_IF_ERROR(ScanLeaves(size, check == OpenCheck::kFull, range, last_received, nullptr, nullptr));
    range_ = std::move(range);
  }

  PL_RETURN_IF_ERROR(LoadCache(size));
  size_.store(size, std::memory_order_release);
  last_received_ms_.store(last_received, std::memory_order_release);
  checkpoint_ = std::make_shared<const std::string>(std::move(*checkpoint));
  return Status::Ok();
}

// One scan per level: ~size / 2^(kLowestLevel - 1) small records (0.3 million at 10^7 entries).
// A gap ends that level's prefix; the nodes past it are read from the store, which reports them.
Status Log::LoadCache(uint64_t size) {
  for (unsigned level = NodeCache::kLowestLevel; level < 64 && (size >> level) > 0; ++level) {
    const uint64_t count = size >> level;
    std::vector<std::pair<merkle::NodeId, Hash>> nodes;
    nodes.reserve(count);
    PL_RETURN_IF_ERROR(store_.Scan(NodeKey({uint8_t(level), 0}), NodeKey({uint8_t(level), count}), [&](std::string_view k, std::string_view v) {
      if (k.size() != 10 || v.size() != 32) return false;
      nodes.emplace_back(merkle::NodeId{uint8_t(level), DecodeBigEndian64(k.substr(2))}, ToHash(v));
      return true;
    }));
    cache_.Add(nodes);
  }
  return Status::Ok();
}

// The right border of the tree of `size` leaves is its RangeNodes(0, size): log2(size) stored
// nodes at most. They must fold to the signed root, and the last leaf must hash to its node (that
// leaf gives the ledger clock). Nothing may be stored beyond the last entry.
Status Log::LoadBorder(uint64_t size, const Hash& root) {
  if (size == 0) return Corrupt("the log is empty: entry 0 is missing");
  Result<std::vector<Hash>> border = ReadStoredNodes(merkle::RangeNodes(0, size));
  if (!border.ok()) return Corrupt(border.status().message() + " (a node of the tree's right border)");
  if (merkle::FoldRange(*border) != root) {
    return Corrupt("the tree's stored right border disagrees with the latest checkpoint's root");
  }
  PL_ASSIGN_OR_RETURN(auto leaf_hash, ReadStoredNodes({{0, size - 1}}));
  PL_ASSIGN_OR_RETURN(auto last, store_.Get(EntryKey(size - 1)));
  if (!last) return Corrupt("entry " + std::to_string(size - 1) + " is missing");
  if (merkle::HashLeaf(*last) != leaf_hash[0]) {
    return Corrupt("tree node 0/" + std::to_string(size - 1) + " disagrees with the leaves (entry " + std::to_string(size - 1) + ")");
  }
  bool beyond = false;
  PL_RETURN_IF_ERROR(store_.Scan(EntryKey(size), std::string(1, char(kEntryPrefix[0] + 1)), [&](std::string_view, std::string_view) {
    beyond = true;
    return false;
  }));
  if (beyond) return Corrupt("the log holds entries beyond its size " + std::to_string(size));
  range_ = merkle::CompactRange(size, std::move(*border));
  return Status::Ok();
}

Status Log::ScanLeaves(uint64_t size, bool verify, merkle::CompactRange& range, int64_t& last_received,
                       const std::atomic<bool>* stop, bool* stopped) const {
  uint64_t expected = 0;
  Status problem;
  Hash ids_expected{};
  // Open scans the whole prefix (an entry beyond the size is corruption); the background check
  // only what existed when it began, while appends go on.
  const std::string end = stop ? EntryKey(size) : std::string(1, char(kEntryPrefix[0] + 1));
  Status scan = store_.Scan(kEntryPrefix, end, [&](std::string_view k, std::string_view leaf) {
    if (stop && stop->load(std::memory_order_relaxed)) {
      *stopped = true;
      return false;
    }
    if (k.size() != 9 || DecodeBigEndian64(k.substr(1)) != expected) {
      problem = Corrupt("entry " + std::to_string(expected) + " is missing");
      return false;
    }
    if (!verify) {
      range.Append(merkle::HashLeaf(leaf), [](merkle::NodeId, const Hash&) {});
      ++expected;
      return true;
    }
    Result<Entry> entry = ParseEntryLeaf(leaf);
    if (!entry.ok() || entry->seq != expected || EntryLeaf(*entry) != leaf) {
      problem = Corrupt("entry " + std::to_string(expected) + " is not the canonical leaf it was written as");
      return false;
    }
    last_received = entry->received.ms;
    const IdRecord record{entry->seq, Sha256(entry->signed_event.canonical), entry->received};
    Fold(ids_expected, IdKey(entry->signed_event.id), IdValue(record));
    const Hash leaf_hash = merkle::HashLeaf(leaf);
    range.Append(leaf_hash, [&](merkle::NodeId id, const Hash& h) {
      if (!problem.ok()) return;
      Result<std::optional<std::string>> stored = store_.Get(NodeKey(id), ReadKind::kBulk);
      if (!stored.ok() || !*stored || **stored != AsBytes(h)) {
        problem = Corrupt("tree node " + std::to_string(id.level) + "/" + std::to_string(id.index) +
                          " disagrees with the leaves (entry " + std::to_string(expected) + ")");
      }
    });
    ++expected;
    if (problem.ok() && expected == opened_size_ && range.Root() != opened_root_) {
      problem = Corrupt("the tree's root differs from the latest checkpoint's");
    }
    return problem.ok();
  }, ReadKind::kBulk);
  PL_RETURN_IF_ERROR(scan);
  PL_RETURN_IF_ERROR(problem);
  if (stopped && *stopped) return Status::Ok();
  if (expected != size) {
    return Corrupt("the log holds " + std::to_string(expected) + " entries but its size says " +
                   std::to_string(size));
  }
  if (verify) PL_RETURN_IF_ERROR(CheckIdRecords(size, ids_expected, /*all=*/stop == nullptr));
  return Status::Ok();
}

Status Log::VerifyStored(const std::atomic<bool>& stop) const {
  merkle::CompactRange range;
  int64_t last_received = 0;
  bool stopped = false;
  return ScanLeaves(size(), /*verify=*/true, range, last_received, &stop, &stopped);
}

// The id records must be exactly one per entry, each naming its entry's seq, event hash and
// received time: one pass over them, compared with the digest the entry scan folded. Only if the
// two differ, a slower pass finds the first bad one to name it.
// With `all` false (the background check, appends going on), the records of entries at `size` or
// later are left out.
Status Log::CheckIdRecords(uint64_t size, const Hash& expected, bool all) const {
  Hash actual{};
  const std::string end(1, char(kIdPrefix[0] + 1));
  const auto counted = [&](std::string_view v) { return all || v.size() != 48 || DecodeBigEndian64(v) < size; };
  PL_RETURN_IF_ERROR(store_.Scan(kIdPrefix, end, [&](std::string_view k, std::string_view v) {
    if (counted(v)) Fold(actual, k, v);
    return true;
  }, ReadKind::kBulk));
  if (actual == expected) return Status::Ok();
  for (uint64_t seq = 0; seq < size; ++seq) {
    PL_ASSIGN_OR_RETURN(std::optional<std::string> leaf, store_.Get(EntryKey(seq)));
    if (!leaf.has_value()) return Corrupt("entry " + std::to_string(seq) + " is missing");
    PL_ASSIGN_OR_RETURN(Entry entry, ParseEntryLeaf(leaf.value()));
    const IdRecord record{seq, Sha256(entry.signed_event.canonical), entry.received};
    PL_ASSIGN_OR_RETURN(auto stored, store_.Get(IdKey(entry.signed_event.id)));
    if (!stored || *stored != IdValue(record)) {
      return Corrupt("the id record of entry " + std::to_string(seq) + " (event id " + entry.signed_event.id +
                     ") is " + (stored ? "altered" : "missing"));
    }
  }
  std::string extra;
  PL_RETURN_IF_ERROR(store_.Scan(kIdPrefix, end, [&](std::string_view k, std::string_view v) {
    if (v.size() != 48 || (all && DecodeBigEndian64(v) >= size)) {
      extra = std::string(k.substr(kIdPrefix.size()));
      for (char& c : extra) {
        if (c < 0x21 || c > 0x7e) c = '?';  // printed as is: only printable ASCII
      }
      return false;
    }
    return true;
  }, ReadKind::kBulk));
  return Corrupt("an id record names no entry of the log" + (extra.empty() ? std::string() : " (event id " + extra + ")"));
}

std::shared_ptr<const std::string> Log::signed_checkpoint() const {
  std::lock_guard lock(checkpoint_mu_);
  return checkpoint_;
}

Result<std::string> Log::ReadLeaf(uint64_t seq) const {
  if (seq >= size()) return Status(Code::kNotFound, "no entry " + std::to_string(seq));
  PL_ASSIGN_OR_RETURN(auto leaf, store_.Get(EntryKey(seq)));
  if (!leaf) return Corrupt("entry " + std::to_string(seq) + " is missing");
  return std::move(*leaf);
}

Result<std::vector<std::string>> Log::ReadLeaves(uint64_t from, uint64_t limit, ReadKind kind) const {
  std::vector<std::string> out;
  const uint64_t end = std::min(size(), from + std::min<uint64_t>(limit, UINT64_MAX - from));
  if (from >= end) return out;
  out.reserve(end - from);
  Status problem;
  PL_RETURN_IF_ERROR(store_.Scan(EntryKey(from), EntryKey(end), [&](std::string_view k, std::string_view v) {
    if (DecodeBigEndian64(k.substr(1)) != from + out.size()) {
      problem = Corrupt("entry " + std::to_string(from + out.size()) + " is missing");
      return false;
    }
    out.emplace_back(v);
    return true;
  }, kind));
  PL_RETURN_IF_ERROR(problem);
  if (out.size() != end - from) return Corrupt("entry " + std::to_string(from + out.size()) + " is missing");
  return out;
}

Result<std::vector<Hash>> Log::ReadNodes(const std::vector<merkle::NodeId>& ids) const {
  std::vector<Hash> out(ids.size());
  const std::vector<size_t> missing = cache_.Lookup(ids, out);
  if (missing.empty()) return out;
  // The blocks of 2^kLowestLevel leaves that the missing lower nodes lie in, with the range of
  // leaves each needs (a proof has one or two).
  constexpr unsigned kBlock = NodeCache::kLowestLevel;
  struct Block {
    uint64_t begin = 0, end = 0;
    std::vector<Hash> leaves;  // leaf hashes [begin, end)
  };
  std::vector<Block> blocks;
  const auto block_of = [&](uint64_t leaf) -> Block* {
    for (Block& b : blocks) {
      if (b.begin >> kBlock == leaf >> kBlock) return &b;
    }
    return nullptr;
  };
  std::vector<merkle::NodeId> stored;
  std::vector<size_t> stored_at;
  for (size_t i : missing) {
    const merkle::NodeId& id = ids[i];
    if (id.level >= kBlock) {
      stored.push_back(id);
      stored_at.push_back(i);
      continue;
    }
    const uint64_t begin = id.index << id.level, end = begin + (uint64_t{1} << id.level);
    if (Block* b = block_of(begin)) {
      b->begin = std::min(b->begin, begin);
      b->end = std::max(b->end, end);
    } else {
      blocks.push_back({begin, end, {}});
    }
  }
  if (!stored.empty()) {
    PL_ASSIGN_OR_RETURN(auto hashes, ReadStoredNodes(stored));
    for (size_t j = 0; j < stored.size(); ++j) out[stored_at[j]] = hashes[j];
  }
  for (Block& b : blocks) {
    b.leaves.reserve(b.end - b.begin);
    if (b.end - b.begin == 1) {
      PL_ASSIGN_OR_RETURN(auto leaf, ReadStoredNodes({{0, b.begin}}));
      b.leaves.push_back(leaf[0]);
      continue;
    }
    PL_RETURN_IF_ERROR(store_.Scan(NodeKey({0, b.begin}), NodeKey({0, b.end}), [&](std::string_view k, std::string_view v) {
      if (k.size() != 10 || v.size() != 32 || DecodeBigEndian64(k.substr(2)) != b.begin + b.leaves.size()) return false;
      b.leaves.push_back(ToHash(v));
      return true;
    }));
    if (b.leaves.size() != b.end - b.begin) {
      return Corrupt("tree node 0/" + std::to_string(b.begin + b.leaves.size()) + " is missing");
    }
  }
  std::vector<Hash> level;
  for (size_t i : missing) {
    const merkle::NodeId& id = ids[i];
    if (id.level >= kBlock) continue;
    const uint64_t begin = id.index << id.level;
    const Block& b = *block_of(begin);
    level.assign(b.leaves.begin() + (begin - b.begin), b.leaves.begin() + (begin - b.begin) + (uint64_t{1} << id.level));
    for (size_t n = level.size(); n > 1; n /= 2) {
      for (size_t j = 0; j < n / 2; ++j) level[j] = merkle::HashChildren(level[2 * j], level[2 * j + 1]);
    }
    out[i] = level[0];
  }
  return out;
}

Result<std::vector<Hash>> Log::ReadStoredNodes(const std::vector<merkle::NodeId>& ids) const {
  std::vector<Hash> out;
  out.reserve(ids.size());
  for (const merkle::NodeId& id : ids) {
    PL_ASSIGN_OR_RETURN(auto bytes, store_.Get(NodeKey(id)));
    if (!bytes || bytes->size() != 32) {
      return Corrupt("tree node " + std::to_string(id.level) + "/" + std::to_string(id.index) + " is missing");
    }
    out.push_back(ToHash(*bytes));
  }
  return out;
}

Result<Hash> Log::LeafHash(uint64_t seq) const {
  if (seq >= size()) return Status(Code::kNotFound, "no entry " + std::to_string(seq));
  PL_ASSIGN_OR_RETURN(auto hashes, ReadNodes({{0, seq}}));
  return hashes[0];
}

Result<Hash> Log::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) return Status(Code::kInvalidArgument, "the log has only " + std::to_string(size()) + " entries");
  PL_ASSIGN_OR_RETURN(auto hashes, ReadNodes(merkle::RangeNodes(0, tree_size)));
  return merkle::FoldRange(hashes);
}

Result<std::vector<Hash>> Log::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status(Code::kInvalidArgument, "size " + std::to_string(tree_size) + " exceeds the log size " + std::to_string(size()));
  }
  if (index >= tree_size) {
    return Status(Code::kInvalidArgument, "index " + std::to_string(index) + " is not below size " + std::to_string(tree_size));
  }
  const merkle::ProofPlan plan = merkle::InclusionPlan(index, tree_size);
  PL_ASSIGN_OR_RETURN(auto hashes, ReadNodes(plan.ids));
  return merkle::AssembleProof(plan, hashes);
}

Result<std::vector<Hash>> Log::ConsistencyProof(uint64_t from, uint64_t to) const {
  if (to > size()) {
    return Status(Code::kInvalidArgument, "to " + std::to_string(to) + " exceeds the log size " + std::to_string(size()));
  }
  if (from > to) return Status(Code::kInvalidArgument, "from must not exceed to");
  const merkle::ProofPlan plan = merkle::ConsistencyPlan(from, to);
  PL_ASSIGN_OR_RETURN(auto hashes, ReadNodes(plan.ids));
  return merkle::AssembleProof(plan, hashes);
}

Result<std::optional<IdRecord>> Log::FindId(std::string_view id) const {
  PL_ASSIGN_OR_RETURN(auto value, store_.Get(IdKey(id)));
  if (!value) return std::optional<IdRecord>();
  if (value->size() != 48) return Corrupt("id record for " + std::string(id) + " is corrupt");
  IdRecord r;
  r.seq = DecodeBigEndian64(*value);
  r.event_hash = ToHash(std::string_view(*value).substr(8, 32));
  r.received = Timestamp{static_cast<int64_t>(DecodeBigEndian64(std::string_view(*value).substr(40)))};
  if (r.seq >= size()) return std::optional<IdRecord>();  // written by a batch not yet visible
  return std::optional<IdRecord>(r);
}

Status Log::Recover() {
  if (undo_.empty()) return Status::Ok();
  PL_RETURN_IF_ERROR(store_.Recover());
  WriteBatch batch;
  for (const std::string& key : undo_) batch.Delete(key);
  // The committed size and checkpoint again, in case the failed write's copies were kept.
  batch.Put(kSizeKey, EncodeBigEndian64(range_.size()));
  batch.Put(kCheckpointKey, *signed_checkpoint());
  PL_RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  undo_.clear();
  return Status::Ok();
}

Result<std::vector<AppendedLeaf>> Log::Append(const std::vector<Entry>& entries) { return AppendSigned(entries, key_); }

Result<AppendedLeaf> Log::AppendRotation(const Entry& entry, const PrivateKey& new_key) {
  PL_ASSIGN_OR_RETURN(auto leaves, AppendSigned({entry}, new_key));
  key_ = new_key;
  verifier_key_ = note::VerifierKeyString(origin_, key_.public_key());
  return std::move(leaves[0]);
}

Result<std::vector<AppendedLeaf>> Log::AppendSigned(const std::vector<Entry>& entries, const PrivateKey& key) {
  PL_RETURN_IF_ERROR(Recover());
  merkle::CompactRange range = range_;  // committed only once the write succeeds
  std::vector<AppendedLeaf> out;
  out.reserve(entries.size());
  std::vector<StagedPut> puts;
  puts.reserve(entries.size() * 4);
  std::vector<std::pair<merkle::NodeId, Hash>> cached;
  for (const Entry& entry : entries) {
    if (entry.seq != range.size()) return Status(Code::kInternal, "entries must follow the log without gaps");
    AppendedLeaf a{entry.seq, EntryLeaf(entry), {}};
    a.leaf_hash = merkle::HashLeaf(a.leaf);
    out.push_back(std::move(a));  // reserved: the leaf StageEntry views stays where it is
    StageEntry(entry, out.back().leaf, out.back().leaf_hash, range, puts, &cached);
  }
  WriteBatch batch;
  PutSorted(puts, batch);
  auto checkpoint = std::make_shared<const std::string>(SignCheckpoint({origin_, range.size(), range.Root()}, key));
  batch.Put(kSizeKey, EncodeBigEndian64(range.size()));
  batch.Put(kCheckpointKey, *checkpoint);
  const auto started = std::chrono::steady_clock::now();
  if (Status s = store_.Write(batch, /*sync=*/true); !s.ok()) {
    undo_.clear();
    for (StagedPut& p : puts) undo_.push_back(std::move(p.key));
    return s;
  }
  sync_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

  range_ = std::move(range);
  cache_.Add(cached);  // before the size: a reader of the new size finds its nodes cached
  if (!entries.empty()) last_received_ms_.store(entries.back().received.ms, std::memory_order_release);
  // Size first: whoever sees the new checkpoint can already read everything it covers.
  size_.store(range_.size(), std::memory_order_release);
  std::lock_guard lock(checkpoint_mu_);
  checkpoint_ = std::move(checkpoint);
  return out;
}

}  // namespace pilotledger::ledger
