#pragma once

// Private to server/: the Beast types shared by the HTTP sessions (http_server.cc) and the
// WebSocket feed sessions (feed_session.cc). Nothing outside server/ includes this.

#include <atomic>
#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/feed.h"
#include "server/http_server.h"

namespace pilotledger::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct HttpServer::Impl {
  Impl(Api* a, FeedHub* h, HttpServer::Handler hd, ServerOptions o)
      : api(a), hub(h), handler(std::move(hd)), options(std::move(o)), log_requests(options.log_requests), acceptor(ioc) {}

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  Api* api;     // null for a plain server (HttpServer(Handler, …)): no feed, no metrics
  FeedHub* hub;  // null with api
  const HttpServer::Handler handler;
  const ServerOptions options;
  const bool log_requests;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  // SIGINT and SIGTERM, caught from Listen() on: one that arrives before RunUntilSignal waits (a
  // supervisor stopping the server as soon as it reports "listening") is kept and stops it cleanly.
  std::optional<net::signal_set> signals;
  std::atomic<size_t> connections{0};
  std::atomic<size_t> in_flight{0};
  std::atomic<bool> stopping{false};  // after SIGTERM: new requests get 503 and the connection closes
  // The watchers' catch-up reads of the log on disk, off the I/O threads (feed_session.cc). Last,
  // so that it is joined first: its reads use the members above.
  net::thread_pool disk_reads{2};
};

namespace internal {

// Ordinary ends of a connection, not worth a log line.
bool NormalEnd(const beast::error_code& ec);

// Takes over an upgraded HTTP connection as a watcher of `request` (PROTOCOL.md §7 /v1/stream).
// Defined for PlainStream and TlsStream in feed_session.cc.
template <class Stream>
void StartFeedSession(HttpServer::Impl& server, Stream&& stream, http::request<http::string_body>&& upgrade,
                      StreamRequest request);

}  // namespace internal
}  // namespace pilotledger::server
