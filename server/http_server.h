#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ledger/status.h"
#include "server/api.h"
#include "server/feed.h"

namespace pilotledger::server {

struct ServerOptions {
  // Address and port to listen on; port 0 picks a free one.
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  // I/O threads; 0 means one per core.
  unsigned threads = 0;
  // Largest request body (413 payload_too_large beyond it).
  size_t max_body_bytes = size_t{1} << 20;
  // Largest request header block (431 beyond it).
  size_t max_header_bytes = size_t{16} << 10;
  // A whole request (headers and body) must arrive within this time; slower clients are cut off.
  std::chrono::milliseconds request_timeout{10'000};
  // A keep-alive connection may wait this long for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // Most open connections (HTTP and WebSocket); past it new ones get 503 and are closed.
  size_t max_connections = 4096;
  // Most requests per second on one connection (429 too_many_requests beyond); 0: no limit.
  size_t requests_per_second = 1000;
  // Most concurrent watchers of /v1/stream; past it the upgrade is refused with 503.
  size_t max_watchers = 2000;
  // Messages a watcher may have queued in memory; past it the watcher is served from the log on disk.
  size_t watcher_queue = 512;
  // A watcher whose write has not completed for this long has stopped reading: it is closed with
  // 4000 "lagging".
  std::chrono::milliseconds watcher_lag_timeout{30'000};
  // Keep-alive pings are sent to an idle watcher; one silent for this long is closed.
  std::chrono::milliseconds watcher_idle_timeout{60'000};
  // A checkpoint message goes to every watcher at least this often (PROTOCOL.md: at most 5 s).
  std::chrono::milliseconds checkpoint_interval{1'000};
  // One JSON line per request on stderr.
  bool log_requests = true;
  // TLS: a PEM certificate chain and private key; plain HTTP if empty.
  std::string tls_cert_file;
  std::string tls_key_file;
};

// The HTTP transport (Boost.Beast) in front of an Api. Beast stays inside http_server.cc.
class HttpServer {
 public:
  // `api` and `hub` must outlive the server.
  HttpServer(Api& api, FeedHub& hub, ServerOptions options);
  // A plain HTTP server (no WebSocket feed, no metrics) answering each request with `handler`,
  // which calls its second argument exactly once (the witness, server/witness.h).
  using Handler = std::function<void(const HttpRequest&, std::function<void(HttpResponse)>)>;
  HttpServer(Handler handler, ServerOptions options);
  ~HttpServer();

  // Binds and starts listening, and from then on catches SIGINT and SIGTERM for RunUntilSignal.
  // Returns "host:port" as bound. Errors: kUnavailable (cannot bind), kInvalidArgument (bad
  // address or TLS files).
  Result<std::string> Listen();
  // Serves on the I/O threads until SIGINT or SIGTERM, then stops accepting, calls `drain` (which
  // finishes in-flight appends while their answers can still be written) and returns once the
  // open requests are answered (or after 5 s).
  void RunUntilSignal(const std::function<void()>& drain);

  struct Impl;  // public so that the sessions in http_server.cc can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pilotledger::server
