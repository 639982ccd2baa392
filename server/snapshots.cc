#include "server/snapshots.h"

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "ledger/thread_name.h"
#include "projections/apply.h"
#include "projections/bodies.h"
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
  if (projections::IsBinaryState(bytes)) return projections::StateFromBinary(bytes, source);
  Result<Json> j = ParseStrictJson(bytes);
  if (!j.ok()) return Status(Code::kDataLoss, "the snapshot does not parse: " + j.status().message());
  return projections::StateFromJson(*j, source);
}

}  // namespace

Status WriteSnapshot(ledger::Store& store, const projections::State& state, const PrivateKey& key) {
  const std::string bytes = projections::StateToBinary(state);
  const std::string sig = key.Sign(SignedMessage(bytes));
  // Beside the write path (Store::Ingest): the entries' synced writes do not wait for its bytes.
  return store.Ingest({{kSnapshotKey, bytes}, {kSnapshotSigKey, sig}});
}

Result<StoredSnapshot> LoadSnapshot(const ledger::Store& store, const PublicKey& key) {
  PL_ASSIGN_OR_RETURN(const auto value, store.GetLarge(kSnapshotKey));  // read once, not copied
  if (!value) return StoredSnapshot{};
  const std::string_view bytes = value->bytes();
  PL_ASSIGN_OR_RETURN(auto sig, store.Get(kSnapshotSigKey));
  if (!sig) return StoredSnapshot{std::nullopt, "it has no signature (written by an older version)"};
  // The signature's SHA-256 over the whole snapshot on a second thread while this one decodes it
  // (each is a few hundred ms at 10^7 entries; docs/performance.md, "At 10^7 entries"). Decoding
  // bytes not yet verified is safe: the reader bounds every read and refuses what does not parse
  // (fuzz/state_binary_fuzzer.cc); a state decoded from bytes that then fail to verify is dropped.
  std::future<bool> verified = std::async(std::launch::async, [&] { return key.Verify(SignedMessage(bytes), *sig); });
  Result<projections::State> state = StateFromSnapshot(bytes, projections::Source::kStored);
  if (!verified.get()) {
    return Status(Code::kDataLoss, "the projection snapshot (" + std::string(kSnapshotKey) +
                                       ") does not verify with the ledger key: it was altered or damaged");
  }
  // Authentic but unusable: written by a version that applies entries differently.
  if (!state.ok()) return StoredSnapshot{std::nullopt, state.status().message()};
  return StoredSnapshot{std::move(*state), ""};
}

Result<std::optional<projections::State>> LoadSnapshotUnchecked(const ledger::Store& store) {
  PL_ASSIGN_OR_RETURN(auto bytes, store.Get(kSnapshotKey, ledger::ReadKind::kBulk));  // read once: not cached
  if (!bytes) return std::optional<projections::State>();
  PL_ASSIGN_OR_RETURN(projections::State state, StateFromSnapshot(*bytes, projections::Source::kSubmitted));
  return std::optional<projections::State>(std::move(state));
}
namespace {

// A batch of stored entries, parsed off the applying thread: each leaf's hash, its entry and its
// typed body (nullopt where either does not parse: ApplyStored then names the error).
struct ParsedBatch {
  Status status;  // of reading the leaves
  std::vector<Hash> hashes;
  std::vector<Result<Entry>> entries;
  std::vector<std::optional<projections::Body>> bodies;
};

// Reads `count` leaves from `from` and parses them.
ParsedBatch ReadAndParse(const ledger::Log& log, uint64_t from, uint64_t count) {
  ParsedBatch batch;
  Result<std::vector<std::string>> leaves = log.ReadLeaves(from, count, ledger::ReadKind::kBulk);
  if (!leaves.ok()) return batch.status = leaves.status(), batch;
  for (const std::string& leaf : *leaves) {
    batch.hashes.push_back(merkle::HashLeaf(leaf));
    batch.entries.push_back(ParseStoredEntryLeaf(leaf));
    std::optional<projections::Body>& body = batch.bodies.emplace_back();
    if (!batch.entries.back().ok()) continue;
    const Entry& entry = *batch.entries.back();
    if (Result<projections::Body> b = projections::ParseBody(entry.signed_event.kind, entry.body(), projections::Source::kStored); b.ok()) {
      body = std::move(*b);
    }
  }
  return batch;
}

// Folds a parsed batch's leaves into `range` and applies its entries to `state`, in order.
Status ApplyBatch(projections::State& state, merkle::CompactRange& range, const ParsedBatch& batch) {
  PL_RETURN_IF_ERROR(batch.status);
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    range.Append(batch.hashes[i], [](merkle::NodeId, const Hash&) {});
    PL_RETURN_IF_ERROR(batch.entries[i].status());
    const Entry& entry = *batch.entries[i];
    const Status st = batch.bodies[i] ? projections::Apply(state, entry, &*batch.bodies[i]) : projections::ApplyStored(state, entry);
    if (!st.ok()) return Status(Code::kDataLoss, "replaying the log: " + st.message());
  }
  return Status::Ok();
}

// One of the replay's parsers: a thread that reads and parses the batches given to it, and frees
// each once it has been applied (in the thread that allocated it: glibc's per-thread caches and
// arenas then serve the next batch, where frees on the applying thread cost more than the parse).
class Parser {
 public:
  explicit Parser(const ledger::Log& log) : log_(log), thread_([this] { Run(); }) {}
  ~Parser() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Frees the batch it gave before (if any) and starts reading and parsing [from, from + count).
  void Start(uint64_t from, uint64_t count) {
    {
      std::lock_guard lock(mu_);
      from_ = from, count_ = count, wanted_ = true, ready_ = false;
    }
    cv_.notify_all();
  }
  // The batch Start asked for, once parsed: the caller's until the next Start.
  ParsedBatch& Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ready_; });
    return batch_;
  }

 private:
  void Run() {
    NameThisThread("pl-replay");
    for (;;) {
      uint64_t from = 0, count = 0;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return wanted_ || stop_; });
        if (stop_) break;
        wanted_ = false;
        from = from_, count = count_;
      }
      batch_ = ParsedBatch();  // the applied one is freed here, on the thread that made it
      batch_ = ReadAndParse(log_, from, count);
      {
        std::lock_guard lock(mu_);
        ready_ = true;
      }
      cv_.notify_all();
    }
    batch_ = ParsedBatch();
  }

  const ledger::Log& log_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t from_ = 0, count_ = 0;
  bool wanted_ = false, ready_ = false, stop_ = false;
  ParsedBatch batch_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

Status Replay(const ledger::Log& log, projections::State& state, uint64_t until, const ReplayOptions& options) {
  // The replayed leaves are tied to the tree's root at `until` (which Log::Open checked against the
  // signed checkpoint) through the stored border at the state's size: the state then derives only
  // from authentic bytes even when the whole log is checked later, in the background.
  const uint64_t start = state.size;
  if (start >= until) return Status::Ok();
  PL_ASSIGN_OR_RETURN(std::vector<Hash> border, log.TreeNodes(merkle::RangeNodes(0, start)));
  merkle::CompactRange range(start, std::move(border));
  // A pipeline: while this thread applies a batch (in order: the state is not thread-safe), the
  // parsers (one per core) read and parse the next ones, batch k on parser k mod n; on one core,
  // one batch after the other on this thread (docs/performance.md, "Replay on every core").
  const uint64_t size = std::max<uint64_t>(1, options.batch);
  const uint64_t batches = (until - start + size - 1) / size;
  const auto first = [&](uint64_t k) { return start + k * size; };  // batch k: [first, first + count)
  const auto count = [&](uint64_t k) { return std::min(size, until - first(k)); };
  const unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  if (threads <= 1) {
    for (uint64_t k = 0; k < batches; ++k) PL_RETURN_IF_ERROR(ApplyBatch(state, range, ReadAndParse(log, first(k), count(k))));
  } else {
    std::vector<std::unique_ptr<Parser>> parsers;
    for (uint64_t k = 0; k < threads && k < batches; ++k) {
      parsers.push_back(std::make_unique<Parser>(log));
      parsers.back()->Start(first(k), count(k));
    }
    for (uint64_t k = 0; k < batches; ++k) {
      Parser& parser = *parsers[k % parsers.size()];
      PL_RETURN_IF_ERROR(ApplyBatch(state, range, parser.Wait()));
      if (const uint64_t later = k + parsers.size(); later < batches) parser.Start(first(later), count(later));
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
