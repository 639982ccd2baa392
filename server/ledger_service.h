#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/log.h"
#include "ledger/sequencer.h"
#include "ledger/store.h"
#include "projections/check.h"
#include "projections/state.h"
#include "server/cosigned.h"

namespace boost::asio {
class thread_pool;
}

namespace pilotledger::server {

struct ServiceOptions {
  // The data directory: db/ (RocksDB) and ledger-key.pem.
  std::string data_dir;
  ledger::SequencerOptions sequencer;
  // A projection snapshot is written (by a thread of its own, off the commit path) once this many
  // entries were committed since the last one, and on a clean stop, so that a start replays at
  // most about this many; 0: only on stop.
  uint64_t snapshot_interval = 100'000;
  // RocksDB's memtable size (0: its default); the crash tests make it small to force compactions.
  size_t rocksdb_write_buffer_bytes = 0;
  // Threads that verify an append's signatures and parse its body before it is sequenced
  // ("pl-verify"; 0: one per core), so that the request threads stay free for reads and answers
  // while appends arrive at full rate (docs/performance.md, (c)).
  unsigned verify_threads = 0;
  // A start that replays at least this many entries then lays the state out afresh (encoded,
  // freed, read back): the replay's temporaries leave it spread over a fragmented heap.
  uint64_t compact_after_replay = 100'000;

  // Test hooks, never set by the server. `wrap_store` wraps the opened RocksDB store (to inject
  // faults or hold a write open); `apply_hook` runs after each entry is applied to the working
  // state, and an error it returns is treated as an Apply failure.
  std::function<std::unique_ptr<ledger::Store>(std::unique_ptr<ledger::Store>)> wrap_store;
  std::function<Status(const Entry&)> apply_hook;
  // False: the stored log is not checked on open (only the tests' tampered-log server).
  bool verify_log = true;
  // How the stored log is checked at start (docs/reliability.md, "Start-up"): "background" (the
  // checkpoint's signature and the tree's right border before serving, O(log N); every leaf, node
  // and id record by a thread of its own while serving) or "full" (all of it before serving, O(N)).
  std::string verify_on_start = "background";
  // The RocksDB environment (tests: a fault-injecting file system); null: the default.
  std::shared_ptr<rocksdb::Env> store_env;
};

// The data directory's layout.
std::string LedgerDbPath(const std::string& data_dir);
std::string LedgerKeyPath(const std::string& data_dir);

// The ledger as the server runs it: the store, the verified log, the projections kept current by
// the sequencer, and the listeners of new entries. Thread-safe: appends and reads from any thread.
//
// The commit protocol (docs/architecture.md): the sequencer thread owns a working state, checks
// and applies each event to it without a lock, and writes the batch; readers see the served state,
// which changes only after the batch is durable, by a pointer swap under `state_mu_` (the old
// served state is then brought level outside the lock). An event whose Apply fails is refused and
// never stored; a failed write rolls the working state back. Reads never wait for a sync.
class LedgerService {
 public:
  // Creates a new ledger in `data_dir` (which must not hold one): the ledger key, and entry 0
  // (ledger.genesis) with `origin`, the verifier key, `authorities` and `policy`.
  // Returns the verifier key. Errors: kInvalidArgument (exists, bad authorities or policy).
  static Result<std::string> Init(const std::string& data_dir, const std::string& origin, const Json& authorities,
                                  const Json& policy, const Clock& clock);

  // Opens the ledger in options.data_dir, verifying the stored log and replaying it into the
  // projections. Errors: kNotFound (no ledger), kDataLoss (the log and its tree or checkpoint
  // disagree), kUnavailable (locked by another process).
  static Result<std::unique_ptr<LedgerService>> Open(const ServiceOptions& options, const Clock& clock);

  ~LedgerService();

  // Checks the signatures and parses the body on a verify thread, then queues the event for the
  // sequencer; `done` runs on the sequencer thread, after the served state reflects the entry
  // (or on the calling thread if refused at once). Errors: as ledger::Sequencer::Append and
  // projections::Check.
  void Append(SignedEvent event, ledger::Sequencer::Done done);

  // Called on the sequencer thread with each committed batch, after the served state reflects it.
  using EntryListener = std::function<void(const std::vector<ledger::AppendedLeaf>&)>;
  void AddListener(EntryListener listener);

  const ledger::Log& log() const { return *log_; }
  // For /metrics: whether the snapshot thread is copying or writing a snapshot now, how many it
  // wrote, and a numeric property of the store (ledger::Store::Property).
  bool snapshot_writing() const { return snapshot_writing_.load(); }
  uint64_t snapshots_written() const { return snapshots_written_.load(); }
  std::optional<uint64_t> StoreProperty(std::string_view name) const { return store_->Property(name); }
  // The checkpoint readers get: with witnesses configured, the last witnessed one with its
  // cosignatures (server/cosigned.h); otherwise, or before the first round, the log's latest.
  std::shared_ptr<const std::string> PublishedCheckpoint() const {
    auto witnessed = published_.Get();
    return witnessed ? witnessed : log_->signed_checkpoint();
  }
  WitnessedCheckpoint& witnessed() { return published_; }
  // False from a failed write until the store takes writes again (reads are served throughout),
  // and for good once the background check of the stored log found corruption.
  bool healthy() const { return log_check_.load() != LogCheck::kFailed && (!sequencer_ || sequencer_->writable()); }

  // The background check of the stored log (verify_on_start "background"): running, passed,
  // failed (corruption found: appends are refused with 503 from then on, /healthz names it), or
  // could not finish (a storage error that is not corruption: logged, appends go on). kPassed at
  // once with "full", which checked everything before Open returned.
  enum class LogCheck { kRunning, kPassed, kFailed, kUnfinished };
  LogCheck log_check() const { return log_check_.load(); }
  // What the background check found (or why it could not finish); empty otherwise.
  std::string log_check_problem() const;
  // Blocks until the background check has ended (for tests and tools; no timeout).
  LogCheck WaitForLogCheck() const;
  const Clock& clock() const { return clock_; }

  // Runs `f(state)` with the served projections (never ahead of the durable log). The lock is
  // shared with other readers and taken exclusively only for the swap after a commit.
  template <typename F>
  auto Read(F&& f) const {
    std::shared_lock lock(state_mu_);
    return f(static_cast<const projections::State&>(*served_));
  }
  // Runs `f(state, checkpoint)` with the served projections and the signed checkpoint of exactly
  // the entries they reflect (its size is state.size), taken together under the readers' lock:
  // the log's own checkpoint runs ahead of the served state between a durable write and the swap.
  template <typename F>
  auto ReadAtCheckpoint(F&& f) const {
    std::shared_lock lock(state_mu_);
    return f(static_cast<const projections::State&>(*served_), static_cast<const std::string&>(*served_checkpoint_));
  }
  // An active actor as of the last commit.
  std::optional<projections::Actor> FindActiveActor(const std::string& id) const;

  // Stops accepting appends, finishes the queued ones, stores a snapshot. Idempotent.
  void Stop();

 private:
  class Admission;
  explicit LedgerService(const Clock& clock);
  void OnCommitted(const std::vector<ledger::AppendedLeaf>& leaves);
  void RequestSnapshot(uint64_t size);
  void RunSnapshots();
  void RunLogCheck();
  Status RefusedAppend() const;
  void StopLogCheck();

  const Clock& clock_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<ledger::Log> log_;
  std::optional<PrivateKey> key_;  // the ledger key: signs the projection snapshots
  std::atomic<bool> snapshot_writing_{false};
  std::atomic<uint64_t> snapshots_written_{0};
  mutable std::shared_mutex state_mu_;
  std::unique_ptr<projections::State> served_;   // swapped under state_mu_ (exclusive), read under it (shared)
  std::shared_ptr<const std::string> served_checkpoint_;  // the checkpoint of served_; with it
  std::unique_ptr<projections::State> working_;  // sequencer thread only
  std::function<Status(const Entry&)> apply_hook_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  // Where Append verifies and parses before handing the event to the sequencer; joined by Stop.
  std::unique_ptr<boost::asio::thread_pool> verify_pool_;
  std::mutex verify_mu_;
  bool verify_stopped_ = false;  // guarded by verify_mu_: nothing is posted to the pool after its join

  // The snapshot thread: copies the served state when asked and writes it.
  uint64_t snapshot_interval_ = 0;
  std::mutex snapshot_mu_;
  std::condition_variable snapshot_cv_;
  bool snapshot_wanted_ = false;                 // guarded by snapshot_mu_
  bool snapshot_stop_ = false;                   // guarded by snapshot_mu_
  std::atomic<uint64_t> snapshot_size_{0};       // the size the stored snapshot reflects
  uint64_t snapshot_requested_ = 0;              // sequencer thread only
  std::thread snapshot_thread_;

  // The background check of the stored log.
  std::atomic<LogCheck> log_check_{LogCheck::kPassed};
  std::atomic<bool> log_check_stop_{false};
  mutable std::mutex log_check_mu_;
  mutable std::condition_variable log_check_cv_;
  std::string log_check_problem_;  // guarded by log_check_mu_
  std::thread log_check_thread_;

  std::mutex listeners_mu_;
  std::vector<EntryListener> listeners_;  // guarded by listeners_mu_
  WitnessedCheckpoint published_;
};

}  // namespace pilotledger::server
