#pragma once

#include <any>
#include <atomic>
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
// projections), so the ledger knows nothing of rules or roles. The admission keeps two states: a
// working state that only the sequencer thread touches (no lock), and the served state that readers
// see, which changes only once a batch is durable. Every method runs on the sequencer thread: per
// batch, Admit and (if admitted) Apply per event, then either Publish (the batch is durable) or
// Rollback (an Apply failed, or the write did).
class Admission {
 public:
  virtual ~Admission() = default;
  // Whether `event`, received at `now`, may follow the working state. Pure. `prepared` is what
  // the caller of Sequencer::Append worked out before sequencing (the admission's own business,
  // e.g. the parsed body; empty if none); Admit may move from it.
  virtual Status Admit(const SignedEvent& event, std::any& prepared, Timestamp now) = 0;
  // Records the entry whose event Admit just accepted in the working state. An error refuses the
  // entry: it is never stored, and the sequencer calls Rollback with the batch's other entries.
  virtual Status Apply(const Entry& entry) = 0;
  // Rebuilds the working state from the served one and re-applies `kept` (entries of the current
  // batch that stay in it). Errors: the re-apply failed; the sequencer then refuses the whole batch
  // and calls Rollback({}), which cannot fail.
  virtual Status Rollback(const std::vector<Entry>& kept) = 0;
  // `entries` are durable: the served state must reflect them before this returns (the appends
  // are answered after it). Holds the readers' lock only for a swap.
  virtual void Publish(const std::vector<Entry>& entries) = 0;
};

struct SequencerOptions {
  // The most entries one synced write carries.
  size_t max_batch = 4096;
  // The most appends waiting; past it Append answers kUnavailable at once (back-pressure).
  size_t max_queue = 50000;
};

// The ledger's only writer. Append() may be called from any thread; one thread admits, sequences
// and commits every waiting append in one synced write (group commit), then acknowledges each.
// A failed write is answered kUnavailable and rolled back (Log::Recover erases what it may have
// left before the next write); later batches are tried as usual and succeed once the store takes
// writes again. An acknowledged entry is never lost, and nothing is acknowledged that is not on disk.
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
  // Errors: kDuplicateId, whatever Admit returns, kInternal (Apply failed: not stored),
  // kUnavailable (queue full, stopped, or the store refused the write).
  // `prepared` goes to Admission::Admit with the event: work done on the caller's thread, off the
  // sequencer's critical section.
  void Append(SignedEvent event, Done done, std::any prepared = {});
  // Stops accepting appends, finishes the queued ones and joins the thread. Idempotent.
  void Stop();
  // False from a failed write until a write succeeds again.
  bool writable() const { return writable_.load(std::memory_order_acquire); }

 private:
  struct Pending {
    SignedEvent event;
    Done done;
    std::any prepared;
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
  std::atomic<bool> writable_{true};
  std::thread thread_;
};

}  // namespace pilotledger::ledger
