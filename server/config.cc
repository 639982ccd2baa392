#include "server/config.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace pilotledger::server {
namespace {

namespace po = boost::program_options;

enum class Kind { kString, kCount, kMillis, kBool };

// One setting: its key in the file, its command-line flag, and where it goes.
struct Setting {
  const char* key;
  const char* flag;
  const char* help;
  Kind kind;
  std::function<void(Config&, const Json&)> set;
};

template <typename T>
std::function<void(Config&, const Json&)> Count(T ServerOptions::*field) {
  return [field](Config& c, const Json& v) { c.server.*field = static_cast<T>(v.get<int64_t>()); };
}
std::function<void(Config&, const Json&)> Millis(std::chrono::milliseconds ServerOptions::*field) {
  return [field](Config& c, const Json& v) { c.server.*field = std::chrono::milliseconds(v.get<int64_t>()); };
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = {
      {"data", "data", "data directory of the ledger", Kind::kString, [](Config& c, const Json& v) { c.service.data_dir = v; }},
      {"listen", "listen", "HOST:PORT to listen on (port 0 picks a free one)", Kind::kString,
       [](Config& c, const Json& v) { c.listen = v; }},
      {"threads", "threads", "I/O threads (0: one per core)", Kind::kCount, Count(&ServerOptions::threads)},
      {"tls.cert", "tls-cert", "PEM certificate chain: serve HTTPS and WSS", Kind::kString,
       [](Config& c, const Json& v) { c.server.tls_cert_file = v; }},
      {"tls.key", "tls-key", "PEM private key of the certificate", Kind::kString,
       [](Config& c, const Json& v) { c.server.tls_key_file = v; }},
      {"log.requests", "log-requests", "one JSON line per request on stderr (true/false)", Kind::kBool,
       [](Config& c, const Json& v) { c.server.log_requests = v; }},
      {"limits.max_body_bytes", "max-body-bytes", "largest request body (413 beyond)", Kind::kCount, Count(&ServerOptions::max_body_bytes)},
      {"limits.max_header_bytes", "max-header-bytes", "largest request header block (431 beyond)", Kind::kCount,
       Count(&ServerOptions::max_header_bytes)},
      {"limits.request_timeout_ms", "request-timeout-ms", "a whole request must arrive within this time", Kind::kMillis,
       Millis(&ServerOptions::request_timeout)},
      {"limits.idle_timeout_ms", "idle-timeout-ms", "keep-alive connections wait this long for a request", Kind::kMillis,
       Millis(&ServerOptions::idle_timeout)},
      {"limits.max_connections", "max-connections", "most open connections", Kind::kCount, Count(&ServerOptions::max_connections)},
      {"limits.requests_per_second", "requests-per-second", "most requests per second on one connection (429 beyond; 0: no limit)",
       Kind::kCount, Count(&ServerOptions::requests_per_second)},
      {"limits.max_watchers", "max-watchers", "most concurrent /v1/stream watchers", Kind::kCount, Count(&ServerOptions::max_watchers)},
      {"limits.watcher_queue", "watcher-queue", "messages a watcher may have queued in memory", Kind::kCount,
       Count(&ServerOptions::watcher_queue)},
      {"limits.watcher_lag_timeout_ms", "watcher-lag-timeout-ms", "a watcher whose write stalls this long is closed (4000 lagging)",
       Kind::kMillis, Millis(&ServerOptions::watcher_lag_timeout)},
      {"limits.watcher_idle_timeout_ms", "watcher-idle-timeout-ms", "a watcher silent this long (no pong) is closed", Kind::kMillis,
       Millis(&ServerOptions::watcher_idle_timeout)},
      {"limits.checkpoint_interval_ms", "checkpoint-interval-ms", "how often watchers get a newer checkpoint", Kind::kMillis,
       Millis(&ServerOptions::checkpoint_interval)},
      {"limits.max_queued_appends", "max-queued-appends", "appends waiting for the sequencer (503 beyond)", Kind::kCount,
       [](Config& c, const Json& v) { c.service.sequencer.max_queue = static_cast<size_t>(v.get<int64_t>()); }},
      {"snapshot_interval", "snapshot-interval", "store a projection snapshot every this many entries (0: only on stop)",
       Kind::kCount, [](Config& c, const Json& v) { c.service.snapshot_interval = static_cast<uint64_t>(v.get<int64_t>()); }},
      {"verify_on_start", "verify-on-start",
       "how the stored log is checked at start: \"background\" (its checkpoint and tree border first, every entry while serving) "
       "or \"full\" (every entry before serving)",
       Kind::kString, [](Config& c, const Json& v) { c.service.verify_on_start = v; }},
      {"rocksdb.write_buffer_bytes", "rocksdb-write-buffer-bytes", "memtable size before a flush (0: RocksDB's 64 MiB)", Kind::kCount,
       [](Config& c, const Json& v) { c.service.rocksdb_write_buffer_bytes = static_cast<size_t>(v.get<int64_t>()); }},
      {"limits.max_batch", "max-batch", "most entries in one synced write", Kind::kCount,
       [](Config& c, const Json& v) { c.service.sequencer.max_batch = static_cast<size_t>(v.get<int64_t>()); }},
      {"witnesses.policy", "witness-policy", "C2SP tlog-policy file: the witnesses (with URLs) to cosign each checkpoint, and the quorum",
       Kind::kString, [](Config& c, const Json& v) { c.witness_policy = v; }},
      {"witnesses.timeout_ms", "witness-timeout-ms", "a witness must answer a submission within this time", Kind::kMillis,
       [](Config& c, const Json& v) { c.witness_timeout = std::chrono::milliseconds(v.get<int64_t>()); }},
  };
  return settings;
}

Status Check(const Setting& s, const Json& v, const std::string& where) {
  const bool ok = s.kind == Kind::kString ? v.is_string()
                  : s.kind == Kind::kBool ? v.is_boolean()
                                          : v.is_number_integer() && v.get<int64_t>() >= 0;
  if (!ok) {
    const char* expected = s.kind == Kind::kString ? "a string" : s.kind == Kind::kBool ? "true or false" : "a non-negative integer";
    return Status(Code::kInvalidArgument, where + ": " + s.key + " must be " + expected);
  }
  return Status::Ok();
}

// Flattens {"a":{"b":1}} into {"a.b": 1}.
void Flatten(const Json& j, const std::string& prefix, std::vector<std::pair<std::string, Json>>& out) {
  for (const auto& [k, v] : j.items()) {
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) {
      Flatten(v, key, out);
    } else {
      out.emplace_back(key, v);
    }
  }
}

}  // namespace

Status LoadConfigFile(const std::string& path, Config& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read the config file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  Result<Json> j = ParseStrictJson(buffer.str());
  if (!j.ok()) return Status(Code::kInvalidArgument, path + ": " + j.status().message());
  if (!j->is_object()) return Status(Code::kInvalidArgument, path + ": the config is a JSON object");
  std::vector<std::pair<std::string, Json>> flat;
  Flatten(*j, "", flat);
  for (const auto& [key, value] : flat) {
    const Setting* setting = nullptr;
    for (const Setting& s : Settings()) {
      if (key == s.key) setting = &s;
    }
    if (!setting) return Status(Code::kInvalidArgument, path + ": unknown setting " + key);
    PL_RETURN_IF_ERROR(Check(*setting, value, path));
    setting->set(config, value);
  }
  return Status::Ok();
}

void AddConfigOptions(po::options_description& options) {
  for (const Setting& s : Settings()) options.add_options()(s.flag, po::value<std::string>(), s.help);
}

Status ApplyConfigOptions(const po::variables_map& vm, Config& config) {
  for (const Setting& s : Settings()) {
    if (!vm.count(s.flag)) continue;
    const std::string text = vm[s.flag].as<std::string>();
    Json value = text;
    if (s.kind == Kind::kBool) {
      if (text != "true" && text != "false") return Status(Code::kInvalidArgument, std::string("--") + s.flag + " takes true or false");
      value = text == "true";
    } else if (s.kind != Kind::kString) {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n < 0) {
        return Status(Code::kInvalidArgument, std::string("--") + s.flag + " takes a non-negative integer");
      }
      value = n;
    }
    s.set(config, value);
  }
  return Status::Ok();
}

Status ValidateConfig(const Config& c) {
  const ServerOptions& s = c.server;
  const auto bad = [](const std::string& why) { return Status(Code::kInvalidArgument, why); };
  if (s.checkpoint_interval.count() < 1 || s.checkpoint_interval.count() > 5000) {
    return bad("checkpoint_interval_ms must be 1-5000: watchers get a checkpoint at least every 5 s");
  }
  if (s.watcher_queue < 16) return bad("watcher_queue must be at least 16");
  if (s.max_watchers < 1 || s.max_connections < 1) return bad("max_watchers and max_connections must be at least 1");
  if (s.max_body_bytes < 1024 || s.max_header_bytes < 1024) return bad("max_body_bytes and max_header_bytes must be at least 1024");
  if (s.request_timeout.count() < 100 || s.idle_timeout.count() < 100 || s.watcher_lag_timeout.count() < 100 ||
      s.watcher_idle_timeout.count() < 1000) {
    return bad("timeouts must be at least 100 ms (watcher_idle_timeout_ms at least 1000)");
  }
  if (c.service.verify_on_start != "background" && c.service.verify_on_start != "full") {
    return bad("verify_on_start must be \"background\" or \"full\"");
  }
  if (c.service.sequencer.max_batch < 1 || c.service.sequencer.max_queue < 1) return bad("max_batch and max_queued_appends must be at least 1");
  return Status::Ok();
}

Status ResolveListen(Config& config) {
  const std::string& listen = config.listen;
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status(Code::kInvalidArgument, "listen takes HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint32_t port = 0;
  const std::string p = listen.substr(colon + 1);
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || port > 65535) {
    return Status(Code::kInvalidArgument, "listen takes HOST:PORT with a port of 0-65535");
  }
  config.server.host = host;
  config.server.port = static_cast<uint16_t>(port);
  return Status::Ok();
}

}  // namespace pilotledger::server
