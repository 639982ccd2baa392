#include "ledger/sequencer.h"

#include <unordered_map>

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

void Sequencer::Append(SignedEvent event, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < options_.max_queue) {
      queue_.push_back({std::move(event), std::move(done)});
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

size_t Sequencer::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void Sequencer::Run() {
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
  if (failed_) {
    for (Pending& p : batch) {
      p.done(Status(Code::kUnavailable, "the ledger stopped accepting appends after a storage failure"));
    }
    return;
  }
  // The ledger's clock never runs backwards, so `received` is non-decreasing along the log.
  const Timestamp now = std::max(clock_.Now(), log_.last_received());
  const uint64_t base = log_.size();

  std::vector<Entry> entries;
  std::vector<Done> created;                              // parallel to entries
  std::vector<std::pair<size_t, Done>> repeats;           // index into entries, for in-batch repeats
  std::unordered_map<std::string_view, size_t> batch_ids;  // id -> index into entries
  entries.reserve(batch.size());  // no reallocation: batch_ids views the entries' ids

  admission_.BeginBatch();
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
    if (Status s = admission_.Admit(e, now); !s.ok()) {
      p.done(std::move(s));
      continue;
    }
    entries.push_back(Entry{base + entries.size(), now, std::move(p.event)});
    admission_.Apply(entries.back());
    batch_ids.emplace(entries.back().signed_event.id, entries.size() - 1);
    created.push_back(std::move(p.done));
  }

  if (entries.empty()) {
    admission_.EndBatch(true);
    return;
  }
  WriteBatch extra;
  admission_.Stage(extra, base + entries.size());
  Result<std::vector<AppendedLeaf>> appended = log_.Append(entries, extra);
  admission_.EndBatch(appended.ok());
  if (!appended.ok()) {
    failed_ = true;
    // The write failed, but RocksDB may have logged it before failing to sync: the outcome is unknown
    // until a restart re-reads the log. The same event sent again then learns it (it is idempotent).
    const Status s(Code::kUnavailable, "storage failure (" + appended.status().message() +
                                           "); whether the entry was stored is unknown: send the same event again after the restart");
    for (Done& d : created) d(s);
    for (auto& [i, d] : repeats) d(s);
    return;
  }
  if (listener_) listener_(*appended);
  for (size_t i = 0; i < created.size(); ++i) {
    created[i](Receipt{entries[i].seq, (*appended)[i].leaf_hash, now, /*created=*/true});
  }
  for (auto& [i, d] : repeats) d(Receipt{entries[i].seq, (*appended)[i].leaf_hash, now, /*created=*/false});
}

}  // namespace pilotledger::ledger
