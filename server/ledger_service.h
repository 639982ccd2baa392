#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/log.h"
#include "ledger/sequencer.h"
#include "ledger/store.h"
#include "projections/check.h"
#include "projections/state.h"

namespace pilotledger::server {

struct ServiceOptions {
  // The data directory: db/ (RocksDB) and ledger-key.pem.
  std::string data_dir;
  ledger::SequencerOptions sequencer;
  // A projection snapshot is stored with the batch that passes this many entries since the last
  // one (and on a clean stop), so that a start replays at most this many; 0: only on stop.
  uint64_t snapshot_interval = 100'000;
};

// The RocksDB key of the projection snapshot (under the prefix the log leaves to upper layers).
inline constexpr std::string_view kSnapshotKey = "x/snapshot";
// Puts the snapshot of `state` into `batch`.
void StageSnapshot(const projections::State& state, ledger::WriteBatch& batch);
// The stored snapshot, or nullopt if there is none. Errors: kDataLoss if it is unreadable.
Result<std::optional<projections::State>> LoadSnapshot(const ledger::Store& store);
// Applies the log's entries [state.size, until) to `state`. Errors: kDataLoss.
Status Replay(const ledger::Log& log, projections::State& state, uint64_t until);
// `pilotledgerd rebuild`: verifies the log, replays it from genesis and compares the stored
// snapshot with the replay at the snapshot's size; with `write`, stores a fresh snapshot. Returns
// the report. Errors: kDataLoss (with the report) naming the first difference; storage errors.
Result<std::string> Rebuild(const std::string& data_dir, bool write);

// The ledger as the server runs it: the store, the verified log, the projections kept current by
// the sequencer, and the listeners of new entries. Thread-safe: appends and reads from any thread.
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

  // Checks the signatures on the calling thread, then queues the event for the sequencer; `done`
  // runs on the sequencer thread. Errors: as ledger::Sequencer::Append and projections::Check.
  void Append(SignedEvent event, ledger::Sequencer::Done done);

  // Called on the sequencer thread with each committed batch, after the projections reflect it.
  using EntryListener = std::function<void(const std::vector<ledger::AppendedLeaf>&)>;
  void AddListener(EntryListener listener);

  const ledger::Log& log() const { return *log_; }
  // False once a failed write left the projections ahead of the log (restart to recover).
  bool healthy() const { return !failed_; }
  const Clock& clock() const { return clock_; }

  // Runs `f(state)` with the committed projections (never ahead of the durable log).
  template <typename F>
  auto Read(F&& f) const {
    std::shared_lock lock(state_mu_);
    return f(static_cast<const projections::State&>(state_));
  }
  // An active actor as of the last commit, found without the state lock (read authentication and
  // signature pre-verification run on request threads while a batch holds the state).
  std::optional<projections::Actor> FindActiveActor(const std::string& id) const;

  // Stops accepting appends and finishes the queued ones. Idempotent.
  void Stop();

 private:
  class Admission;
  LedgerService(const Clock& clock);
  void OnCommitted(const std::vector<ledger::AppendedLeaf>& leaves);
  // Copies `ids` (or every actor) from the state into the directory. REQUIRES: state_mu_ held.
  void UpdateDirectory(const std::vector<std::string>* ids);

  const Clock& clock_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<ledger::Log> log_;
  mutable std::shared_mutex state_mu_;
  projections::State state_;  // guarded by state_mu_; written only on the sequencer thread
  std::atomic<bool> failed_{false};
  uint64_t snapshot_interval_ = 0;
  uint64_t snapshot_size_ = 0;  // the size the stored snapshot reflects; sequencer thread  // the projections are ahead of the log after a failed write
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<ledger::Sequencer> sequencer_;

  mutable std::shared_mutex directory_mu_;
  std::unordered_map<std::string, projections::Actor> directory_;  // active actors; guarded by directory_mu_
  std::mutex listeners_mu_;
  std::vector<EntryListener> listeners_;  // guarded by listeners_mu_
};

}  // namespace pilotledger::server
