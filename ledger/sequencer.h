#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ledger/log.h"
#include "ledger/timestamp.h"

namespace pilotledger::ledger {

// The outcome of an append: where the entry is, and whether this call created it (false for an
// idempotent repeat of an event already in the log).
struct Receipt {
  uint64_t seq = 0;
  Hash leaf_hash{};
  Timestamp received;
  bool created = true;
};

// Decides what may be appended and keeps derived state current. Injected by the server (the
// projections), so the ledger knows nothing of rules or roles. Every method runs on the sequencer
// thread, in this order per batch: BeginBatch, then Admit (and Apply if admitted) per event,
// Stage, the synced write, EndBatch.
class Admission {
 public:
  virtual ~Admission() = default;
  virtual void BeginBatch() {}
  // Whether `event`, received at `now`, may follow everything applied so far. Pure.
  virtual Status Admit(const SignedEvent& event, Timestamp now) = 0;
  // Records an admitted entry in the working state; it becomes durable only with the batch.
  virtual void Apply(const Entry& entry) = 0;
  // Adds the admission's own puts (such as a snapshot) to the batch that commits `size_after`.
  virtual void Stage(WriteBatch& /*batch*/, uint64_t /*size_after*/) {}
  // After the write. `committed == false`: the batch was lost, so the working state is ahead of
  // the log and must not be served any more.
  virtual void EndBatch(bool /*committed*/) {}
};

struct SequencerOptions {
  // The most entries one synced write carries.
  size_t max_batch = 4096;
  // The most appends waiting; past it Append answers kUnavailable at once (back-pressure).
  size_t max_queue = 50000;
};

// The ledger's only writer. Append() may be called from any thread; one thread admits, sequences
// and commits every waiting append in one synced write (group commit), then acknowledges each.
// After a failed write it refuses everything with kUnavailable: the ledger must be restarted
// (which re-verifies the stored log) — an acknowledged entry is never lost, and nothing is
// acknowledged that is not on disk.
class Sequencer {
 public:
  using Done = std::function<void(Result<Receipt>)>;
  // Called on the sequencer thread after each write with the entries it committed.
  using Listener = std::function<void(const std::vector<AppendedLeaf>&)>;

  // `log`, `clock` and `admission` must outlive the Sequencer. `listener` may be empty.
  Sequencer(Log& log, const Clock& clock, Admission& admission, Listener listener,
            SequencerOptions options = {});
  // Finishes every queued append, then joins. Non-copyable: it owns its thread.
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Queues `event`; calls `done` on the sequencer thread once the entry is durable or refused.
  // Errors: kDuplicateId, whatever Admit returns, kUnavailable (queue full, stopped, or failed).
  void Append(SignedEvent event, Done done);
  // Stops accepting appends, finishes the queued ones and joins the thread. Idempotent.
  void Stop();
  size_t queued() const;

 private:
  struct Pending {
    SignedEvent event;
    Done done;
  };
  void Run();
  void ProcessBatch(std::vector<Pending>& batch);

  Log& log_;
  const Clock& clock_;
  Admission& admission_;
  const Listener listener_;
  const SequencerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  bool failed_ = false;        // sequencer thread only
  std::thread thread_;
};

}  // namespace pilotledger::ledger
