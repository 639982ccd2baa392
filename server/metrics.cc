#include "server/metrics.h"

#include "server/ledger_service.h"

namespace pilotledger::server {

void Metrics::Append(Code code, bool created, double seconds) {
  append_seconds_.Observe(seconds);
  if (code != Code::kOk) {
    refused_[static_cast<size_t>(code) % refused_.size()].fetch_add(1, std::memory_order_relaxed);
  } else if (created) {
    created_.fetch_add(1, std::memory_order_relaxed);
  } else {
    repeated_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::string Metrics::Render(const LedgerService& service) const {
  std::string out;
  const auto counter = [&](const char* name, const char* help, const std::string& labels, uint64_t value, bool header) {
    if (header) out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    out += std::string(name) + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(value) + "\n";
  };
  counter("pilotledger_appends_total", "Appends answered with success, by result.", "result=\"created\"", created_, true);
  counter("pilotledger_appends_total", "", "result=\"repeated\"", repeated_, false);
  out += "# HELP pilotledger_append_rejections_total Appends refused, by error code.\n# TYPE pilotledger_append_rejections_total counter\n";
  for (size_t c = 1; c < refused_.size(); ++c) {
    const uint64_t n = refused_[c].load(std::memory_order_relaxed);
    if (n) out += std::string("pilotledger_append_rejections_total{code=\"") + CodeName(static_cast<Code>(c)) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP pilotledger_append_duration_seconds Time from a submission's arrival to its answer.\n"
         "# TYPE pilotledger_append_duration_seconds histogram\n";
  out += append_seconds_.Render("pilotledger_append_duration_seconds");
  out += "# HELP pilotledger_rocksdb_sync_duration_seconds Time of each synced RocksDB write (one per batch).\n"
         "# TYPE pilotledger_rocksdb_sync_duration_seconds histogram\n";
  out += service.log().sync_seconds().Render("pilotledger_rocksdb_sync_duration_seconds");
  out += "# HELP pilotledger_log_size Entries in the log.\n# TYPE pilotledger_log_size gauge\npilotledger_log_size " +
         std::to_string(service.log().size()) + "\n";
  out += "# HELP pilotledger_watchers Watchers connected to /v1/stream.\n# TYPE pilotledger_watchers gauge\npilotledger_watchers " +
         std::to_string(watchers_ ? watchers_() : 0) + "\n";
  out += "# HELP pilotledger_watcher_queued_messages Messages waiting in memory for watchers, all together.\n"
         "# TYPE pilotledger_watcher_queued_messages gauge\npilotledger_watcher_queued_messages " +
         std::to_string(watcher_queued_.load(std::memory_order_relaxed)) + "\n";
  counter("pilotledger_watcher_lagging_closes_total", "Watchers closed with 4000 lagging.", "", lagging_closes_, true);
  counter("pilotledger_http_requests_total", "HTTP requests answered.", "", http_requests_, true);
  counter("pilotledger_cached_answers_total", "Quota reads answered from the answer kept for the state's version (hit), or built (miss).",
          "result=\"hit\"", cache_hits_, true);
  counter("pilotledger_cached_answers_total", "", "result=\"miss\"", cache_misses_, false);
  const auto gauge = [&](const char* name, const char* help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + std::to_string(value) + "\n";
  };
  gauge("pilotledger_snapshot_writing", "1 while the projection snapshot is being copied or written.", service.snapshot_writing() ? 1 : 0);
  counter("pilotledger_snapshots_written_total", "Projection snapshots written while serving.", "", service.snapshots_written(), true);
  gauge("pilotledger_log_check",
        "The check of the stored log since start: 0 running (in the background), 1 passed, 2 failed (corruption: appends are refused), "
        "3 could not finish (a storage error).",
        uint64_t(service.log_check()));
  counter("pilotledger_log_check_failures_total", "Corruption found in the stored log by the check since start (0 or 1).", "",
          service.log_check() == LedgerService::LogCheck::kFailed ? 1 : 0, true);
  gauge("pilotledger_rocksdb_running_compactions", "RocksDB compactions running now.",
        service.StoreProperty("rocksdb.num-running-compactions").value_or(0));
  gauge("pilotledger_rocksdb_running_flushes", "RocksDB memtable flushes running now.",
        service.StoreProperty("rocksdb.num-running-flushes").value_or(0));
  if (extra_) out += extra_();
  return out;
}

}  // namespace pilotledger::server
