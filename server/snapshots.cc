#include "server/snapshots.h"

#include <array>
#include <condition_variable>
#include <functional>
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

// One of the replay's parsers: a thread that reads and parses its batches (every n-th, in order),
// up to kDepth of them ahead of the applying thread, so that it does not wait while its last batch
// is applied (with one slot, each parser sat idle for that time: a fifth of the two cores). It
// frees each batch itself once applied, in the thread that allocated it: glibc's per-thread caches
// and arenas then serve the next one, where frees on the applying thread cost more than the parse.
class Parser {
 public:
  static constexpr uint64_t kDepth = 2;
  using Range = std::function<std::pair<uint64_t, uint64_t>(uint64_t)>;  // batch k's [from, from + count)
  // Parses the batches first, first + stride, … below `end`.
  Parser(const ledger::Log& log, uint64_t first, uint64_t stride, uint64_t end, Range range)
      : log_(log), first_(first), stride_(stride), end_(end), range_(std::move(range)), thread_([this] { Run(); }) {}
  ~Parser() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Its next batch, in order, once parsed: the caller's until Done.
  ParsedBatch& Next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return parsed_ > taken_; });
    return slots_[taken_ % kDepth];
  }
  // The batch Next gave has been applied: its slot may be freed and reused.
  void Done() {
    {
      std::lock_guard lock(mu_);
      ++taken_;
    }
    cv_.notify_all();
  }

 private:
  void Run() {
    NameThisThread("pl-replay");
    for (uint64_t i = 0, k = first_; k < end_; ++i, k += stride_) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || i < taken_ + kDepth; });
        if (stop_) break;
      }
      // Slot i % kDepth held batch i - kDepth, applied (Done) by now; the applier reads only slots
      // of batches in [taken_, parsed_ = i).
      ParsedBatch& slot = slots_[i % kDepth];
      slot = ParsedBatch();
      const auto [from, count] = range_(k);
      slot = ReadAndParse(log_, from, count);
      {
        std::lock_guard lock(mu_);
        ++parsed_;
      }
      cv_.notify_all();
    }
    // The last batches are freed here too, once the applier is through with them.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_; });
    lock.unlock();
    for (ParsedBatch& slot : slots_) slot = ParsedBatch();
  }

  const ledger::Log& log_;
  const uint64_t first_, stride_, end_;
  const Range range_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t parsed_ = 0, taken_ = 0;  // of its batches
  bool stop_ = false;
  std::array<ParsedBatch, kDepth> slots_;
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
  // parsers (one per core) read and parse the next ones, batch k on parser k mod n, each up to
  // Parser::kDepth batches ahead; on one core, one batch after the other on this thread
  // (docs/performance.md, "Replay on every core").
  const uint64_t size = std::max<uint64_t>(1, options.batch);
  const uint64_t batches = (until - start + size - 1) / size;
  const auto first = [&](uint64_t k) { return start + k * size; };  // batch k: [first, first + count)
  const auto count = [&](uint64_t k) { return std::min(size, until - first(k)); };
  const unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  if (threads <= 1) {
    for (uint64_t k = 0; k < batches; ++k) PL_RETURN_IF_ERROR(ApplyBatch(state, range, ReadAndParse(log, first(k), count(k))));
  } else {
    const uint64_t n = std::min<uint64_t>(threads, batches);
    std::vector<std::unique_ptr<Parser>> parsers;
    for (uint64_t j = 0; j < n; ++j) {
      parsers.push_back(std::make_unique<Parser>(log, j, n, batches, [&](uint64_t k) { return std::pair(first(k), count(k)); }));
    }
    for (uint64_t k = 0; k < batches; ++k) {
      Parser& parser = *parsers[k % n];
      const Status applied = ApplyBatch(state, range, parser.Next());
      parser.Done();
      PL_RETURN_IF_ERROR(applied);
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
