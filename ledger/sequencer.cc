#include "ledger/sequencer.h"

#include <unordered_map>

#include "ledger/thread_name.h"

namespace pilotledger::ledger {

Sequencer::Sequencer(Log& log, const Clock& clock, Admission& admission, Listener listener,
                     SequencerOptions options)
    : log_(log),
      clock_(clock),
      admission_(admission),
      listener_(std::move(listener)),
      options_(options),
      thread_([this] { Run(); }) {}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Append(SignedEvent event, Done done, std::any prepared) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < options_.max_queue) {
      queue_.push_back({std::move(event), std::move(done), std::move(prepared)});
      cv_.notify_one();
      return;
    }
  }
  done(Status(Code::kUnavailable, "the ledger is not accepting appends right now; retry later"));
}

void Sequencer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Sequencer::Run() {
  NameThisThread("pl-sequencer");
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      const size_t n = std::min(queue_.size(), options_.max_batch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ProcessBatch(batch);
    batch.clear();
  }
}

void Sequencer::ProcessBatch(std::vector<Pending>& batch) {
  // The ledger's clock never runs backwards, so `received` is non-decreasing along the log.
  const Timestamp now = std::max(clock_.Now(), log_.last_received());
  const uint64_t base = log_.size();

  std::vector<Entry> entries;
  std::vector<Done> created;                              // parallel to entries
  std::vector<std::pair<size_t, Done>> repeats;           // index into entries, for in-batch repeats
  std::unordered_map<std::string_view, size_t> batch_ids;  // id -> index into entries
  entries.reserve(batch.size());  // no reallocation: batch_ids views the entries' ids

  for (Pending& p : batch) {
    const SignedEvent& e = p.event;
    if (auto it = batch_ids.find(e.id); it != batch_ids.end()) {
      if (entries[it->second].signed_event.canonical == e.canonical) {
        repeats.emplace_back(it->second, std::move(p.done));
      } else {
        p.done(Status(Code::kDuplicateId, "event id " + e.id + " is already used by another event"));
      }
      continue;
    }
    Result<std::optional<IdRecord>> found = log_.FindId(e.id);
    if (!found.ok()) {
      p.done(found.status());
      continue;
    }
    if (*found) {
      const IdRecord& r = **found;
      if (r.event_hash != Sha256(e.canonical)) {
        p.done(Status(Code::kDuplicateId, "event id " + e.id + " is already used by entry " + std::to_string(r.seq)));
        continue;
      }
      Result<Hash> leaf_hash = log_.LeafHash(r.seq);
      if (!leaf_hash.ok()) {
        p.done(leaf_hash.status());
      } else {
        p.done(Receipt{r.seq, *leaf_hash, r.received, /*created=*/false});
      }
      continue;
    }
    if (Status s = admission_.Admit(e, p.prepared, now); !s.ok()) {
      p.done(std::move(s));
      continue;
    }
    Entry entry{base + entries.size(), now, std::move(p.event)};
    if (Status s = admission_.Apply(entry); !s.ok()) {
      // Never stored: the working state may hold part of it, so rebuild it without this entry.
      p.done(Status(Code::kInternal, "the ledger cannot apply event " + entry.signed_event.id + " (" + s.message() +
                                         "); it was not stored"));
      if (Status r = admission_.Rollback(entries); !r.ok()) {
        const Status refused(Code::kInternal, "the ledger cannot re-apply its batch (" + r.message() + "); nothing was stored");
        for (Done& d : created) d(refused);
        for (auto& [i, d] : repeats) d(refused);
        (void)admission_.Rollback({});
        return;
      }
      continue;
    }
    entries.push_back(std::move(entry));
    batch_ids.emplace(entries.back().signed_event.id, entries.size() - 1);
    created.push_back(std::move(p.done));
  }

  if (entries.empty()) return;
  Result<std::vector<AppendedLeaf>> appended = log_.Append(entries);
  if (!appended.ok()) {
    writable_.store(false, std::memory_order_release);
    (void)admission_.Rollback({});
    // Not acknowledged. The failed write is erased before the next one (Log::Recover); only a crash
    // before that could still bring it back from the store's write-ahead log, so the same event
    // sent again learns the outcome either way (it is idempotent).
    const Status s(Code::kUnavailable, "storage failure (" + appended.status().message() +
                                           "); the entry was not acknowledged: send the same event again later");
    for (Done& d : created) d(s);
    for (auto& [i, d] : repeats) d(s);
    return;
  }
  writable_.store(true, std::memory_order_release);
  admission_.Publish(entries);
  if (listener_) listener_(*appended);
  for (size_t i = 0; i < created.size(); ++i) {
    created[i](Receipt{entries[i].seq, (*appended)[i].leaf_hash, now, /*created=*/true});
  }
  for (auto& [i, d] : repeats) d(Receipt{entries[i].seq, (*appended)[i].leaf_hash, now, /*created=*/false});
}

}  // namespace pilotledger::ledger
