// The Boost.Beast transport: TCP or TLS connections, HTTP/1.1 sessions with limits and timeouts,
// and the hand-over of WebSocket upgrades to the feed (feed_session.cc).
#include "server/http_server.h"

#include <unistd.h>

#include <iostream>
#include <thread>

#include <boost/beast/websocket.hpp>

#include "ledger/canonical_json.h"
#include "ledger/thread_name.h"
#include "server/error_text.h"
#include "server/request_framing.h"
#include "server/internal/transport.h"

namespace pilotledger::server {

bool internal::NormalEnd(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == net::error::eof ||
         ec == beast::error::timeout || ec == net::error::connection_reset || ec == ssl::error::stream_truncated ||
         ec == beast::websocket::error::closed;
}

namespace {

// One HTTP/1.1 connection over `Stream` (beast::tcp_stream or ssl_stream<tcp_stream>), handling one
// request at a time. Lives as long as an operation holds shared_from_this().
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(HttpServer::Impl& server, Args&&... args) : server_(server), stream_(std::forward<Args>(args)...) {
    ++server_.connections;
  }
  ~Session() { --server_.connections; }

  void Start() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::OnStart, this->shared_from_this()));
  }

 private:
  auto& Tcp() { return beast::get_lowest_layer(stream_); }
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  void OnStart() {
    started_ = std::chrono::steady_clock::now();
    if constexpr (kTls) {  // the 503 past the connection limit must be readable: after the handshake
      Tcp().expires_after(server_.options.request_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      DoRead();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Fail(ec, "TLS handshake");
    DoRead();
  }

  // Past the connection limit the first answer is a 503, and the connection closes.
  bool OverLimit() {
    if (server_.connections <= server_.options.max_connections) return false;
    Reply(Api::ErrorResponse(Status(Code::kUnavailable, "too many connections; retry later")), false);
    return true;
  }

  // Waits up to idle_timeout for a request to begin, then gives it request_timeout to arrive whole.
  void DoRead() {
    if (method_.empty() && buffer_.size() == 0 && !served_any_ && OverLimit()) return;
    served_any_ = true;
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    if (buffer_.size() > 0) return BeginRequest();
    Tcp().expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), beast::bind_front_handler(&Session::OnFirstBytes, this->shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec) return Fail(ec, "read");
    buffer_.commit(n);
    BeginRequest();
  }

  // The request has begun: it must arrive whole within request_timeout. The header block is
  // collected first, so that its framing can be checked on the raw bytes (CheckFraming) before
  // Beast parses it.
  void BeginRequest() {
    Tcp().expires_after(server_.options.request_timeout);
    ReadHeaderBlock();
  }

  void ReadHeaderBlock() {
    const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    const size_t block = HeaderBlockSize(data);
    if (block == 0 && data.size() <= server_.options.max_header_bytes) {
      stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
        if (ec) return self->Fail(ec, "read");
        self->buffer_.commit(n);
        self->ReadHeaderBlock();
      });
      return;
    }
    if (block != 0) {
      if (Status framing = CheckFraming(data.substr(0, block)); !framing.ok()) {
        method_ = target_ = "-";
        return Reply(Api::ErrorResponse(framing), false);
      }
    }
    // A header block past the limit is Beast's to refuse (431), as is anything it cannot parse.
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    started_ = std::chrono::steady_clock::now();
    method_ = "-";
    target_ = "-";
    if (parser_->is_header_done()) {
      method_ = std::string(parser_->get().method_string());
      target_ = std::string(parser_->get().target());
    }
    if (ec == http::error::body_limit) {
      return Reply(Api::ErrorResponse(Status(Code::kPayloadTooLarge, "the request body exceeds " +
                                                                         std::to_string(server_.options.max_body_bytes) + " bytes")),
                   false);
    }
    if (ec == http::error::header_limit) {
      return Reply(Api::ErrorResponse(Status(Code::kHeaderTooLarge, "the request headers exceed " +
                                                                        std::to_string(server_.options.max_header_bytes) + " bytes")),
                   false);
    }
    if (ec && !internal::NormalEnd(ec) && ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
      return Reply(Api::ErrorResponse(Status(Code::kInvalidArgument, "malformed HTTP request: " + ec.message())), false);
    }
    if (ec) return Fail(ec, "read");
    Tcp().expires_never();
    if (server_.stopping) {
      return Reply(Api::ErrorResponse(Status(Code::kUnavailable, "the server is shutting down")), false);
    }
    const auto& req = parser_->get();
    if (beast::websocket::is_upgrade(req)) return Upgrade();
    keep_alive_ = req.keep_alive();
    HttpRequest request{std::string(req.method_string()), std::string(req.target()),
                        std::string(req[http::field::authorization]), req.body()};
    if (!WithinRate()) {
      return Reply(Api::ErrorResponse(Status(Code::kTooManyRequests, "more than " + std::to_string(server_.options.requests_per_second) +
                                                                         " requests per second on one connection")),
                   false);
    }
    ++server_.in_flight;
    server_.handler(request, [self = this->shared_from_this()](HttpResponse response) {
      net::post(self->stream_.get_executor(), [self, r = std::move(response)]() mutable {
        --self->server_.in_flight;
        r.Render();  // an append's answer is formatted here, on the I/O thread
        self->Reply(std::move(r), self->keep_alive_);
      });
    });
  }

  // At most requests_per_second requests in any one-second window of this connection.
  bool WithinRate() {
    if (server_.options.requests_per_second == 0) return true;
    if (started_ - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = started_;
      window_count_ = 0;
    }
    return ++window_count_ <= server_.options.requests_per_second;
  }

  // One JSON line per answered request (method, target, status, duration, and an append's seq).
  void LogRequest(const HttpResponse& r) {
    if (server_.api) server_.api->metrics().HttpRequest();
    if (!server_.log_requests) return;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_).count();
    // The method and target as sent, escaped: the log stays one valid UTF-8 JSON line per request.
    Json line = {{"method", method_.empty() ? "-" : EscapeUntrusted(method_)}, {"target", target_.empty() ? "-" : EscapeUntrusted(target_)},
                 {"status", r.status},
                 {"duration_us", us}};
    if (r.seq) line["seq"] = *r.seq;
    SystemClock clock;
    line["time"] = FormatRfc3339Millis(clock.Now());
    const std::string text = WriteCanonical(line) + "\n";
    (void)!::write(2, text.data(), text.size());  // one write per line: lines never interleave
  }

  // A WebSocket upgrade: only /v1/stream, only GET, and only once the reader and the parameters
  // check out; otherwise an HTTP error answer.
  void Upgrade() {
    auto req = parser_->release();
    if (req.method() != http::verb::get) {
      return Reply(Api::ErrorResponse(Status(Code::kMethodNotAllowed, "a WebSocket upgrade is a GET")), false);
    }
    if (!server_.api) return Reply(Api::ErrorResponse(Status(Code::kNotFound, "no WebSocket endpoint here")), false);
    Result<StreamRequest> stream_request =
        server_.api->OpenStream(std::string(req.target()), std::string(req[http::field::authorization]), server_.hub->watchers(),
                               server_.options.max_watchers);
    if (!stream_request.ok()) return Reply(Api::ErrorResponse(stream_request.status()), false);
    LogRequest(HttpResponse{101, "", "", std::nullopt, {}});
    Tcp().expires_never();
    internal::StartFeedSession(server_, std::move(stream_), std::move(req), std::move(*stream_request));
  }

  void Reply(HttpResponse r, bool keep_alive) {
    LogRequest(r);
    method_.clear();
    res_ = {};
    res_.version(11);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res_.set(name, value);
    res_.keep_alive(keep_alive);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    Tcp().expires_after(server_.options.request_timeout);
    http::async_write(stream_, res_, beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return Fail(ec, "write");
    if (!res_.keep_alive()) return Close();
    DoRead();
  }

  // Half-closes, then reads and discards what the client still sends (for up to 2 s), so that a
  // client still writing a refused body can read our answer instead of hitting a reset.
  void Close() {
    Tcp().expires_after(std::chrono::seconds(2));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      Drain();
    }
  }
  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 * 1024), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->Drain();
    });
  }

  void Fail(beast::error_code ec, const char* what) {
    if (!internal::NormalEnd(ec)) std::cerr << "pilotledgerd: " << what << ": " << ec.message() << "\n";
  }

  HttpServer::Impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  bool keep_alive_ = false;
  std::chrono::steady_clock::time_point started_, window_start_;
  size_t window_count_ = 0;
  bool served_any_ = false;
  std::string method_, target_;
};

}  // namespace

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc), beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec) {
    if (tls) {
      std::make_shared<Session<TlsStream>>(*this, std::move(socket), *tls)->Start();
    } else {
      std::make_shared<Session<PlainStream>>(*this, std::move(socket))->Start();
    }
  }
  DoAccept();
}

HttpServer::HttpServer(Api& api, FeedHub& hub, ServerOptions options)
    : impl_(std::make_unique<Impl>(
          &api, &hub, [&api](const HttpRequest& r, std::function<void(HttpResponse)> respond) { api.Handle(r, std::move(respond)); },
          std::move(options))) {
  api.DeferAnswers();
}

HttpServer::HttpServer(Handler handler, ServerOptions options)
    : impl_(std::make_unique<Impl>(nullptr, nullptr, std::move(handler), std::move(options))) {}

HttpServer::~HttpServer() = default;

Result<std::string> HttpServer::Listen() {
  Impl& s = *impl_;
  if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
    s.tls.emplace(ssl::context::tls_server);
    s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    s.tls->use_certificate_chain_file(s.options.tls_cert_file, ec);
    if (!ec) s.tls->use_private_key_file(s.options.tls_key_file, ssl::context::pem, ec);
    if (ec) return Status(Code::kInvalidArgument, "cannot load the TLS certificate or key: " + ec.message());
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(s.options.host, ec);
  if (ec) return Status(Code::kInvalidArgument, "bad listen address " + s.options.host);
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status(Code::kUnavailable, "cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) + ": " + ec.message());
  s.signals.emplace(s.ioc, SIGINT, SIGTERM);
  s.DoAccept();
  const auto bound = s.acceptor.local_endpoint();
  const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  return host + ":" + std::to_string(bound.port());
}

void HttpServer::RunUntilSignal(const std::function<void()>& drain) {
  Impl& s = *impl_;
  if (!s.signals) s.signals.emplace(s.ioc, SIGINT, SIGTERM);
  // Sessions waiting for an append's answer have no I/O pending; without this guard the I/O threads
  // could run out of work during the drain and never write those answers.
  auto work = net::make_work_guard(s.ioc);
  std::thread stopper;
  s.signals->async_wait([&](beast::error_code ec, int) {
    if (ec) return;
    beast::error_code ignored;
    s.acceptor.close(ignored);
    s.stopping = true;
    // Drain off the I/O threads: the answers to the appends it finishes still need them.
    stopper = std::thread([&] {
      drain();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (s.in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the last writes leave
      s.ioc.stop();
    });
  });
  const unsigned n = s.options.threads ? s.options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) {
    threads.emplace_back([&] {
      NameThisThread("pl-io");
      s.ioc.run();
    });
  }
  s.ioc.run();
  for (auto& t : threads) t.join();
  if (stopper.joinable()) stopper.join();
}

}  // namespace pilotledger::server
