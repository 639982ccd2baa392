#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <string>

#include "ledger/histogram.h"
#include "ledger/status.h"

namespace pilotledger::server {

class LedgerService;

// The server's counters for GET /metrics (Prometheus text format). Thread-safe.
class Metrics {
 public:
  // An append answered: created, repeated (idempotent), or refused with `code`.
  void Append(Code code, bool created, double seconds);
  void HttpRequest() { http_requests_.fetch_add(1, std::memory_order_relaxed); }
  // A read answered from the answers kept per state version (hit), or built (miss).
  void CachedAnswer(bool hit) { (hit ? cache_hits_ : cache_misses_).fetch_add(1, std::memory_order_relaxed); }
  void LaggingClose() { lagging_closes_.fetch_add(1, std::memory_order_relaxed); }
  // Messages queued in memory for watchers, summed over all of them (bounded per watcher).
  void WatcherQueued(int64_t delta) { watcher_queued_.fetch_add(delta, std::memory_order_relaxed); }
  // Where the watcher count comes from (the feed hub).
  void SetWatcherCount(std::function<size_t()> count) { watchers_ = std::move(count); }
  // More lines for Render (the witness client's, server/witness_client.h).
  void SetExtra(std::function<std::string()> extra) { extra_ = std::move(extra); }

  std::string Render(const LedgerService& service) const;

 private:
  Histogram append_seconds_;
  std::atomic<uint64_t> created_{0}, repeated_{0}, http_requests_{0}, lagging_closes_{0}, cache_hits_{0}, cache_misses_{0};
  std::atomic<int64_t> watcher_queued_{0};
  std::array<std::atomic<uint64_t>, 32> refused_{};  // by Code
  std::function<size_t()> watchers_;
  std::function<std::string()> extra_;
};

}  // namespace pilotledger::server
