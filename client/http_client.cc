// The client's Boost.Beast transport: HTTP/1.1 and WebSocket over TCP or TLS, synchronous calls
// built from asynchronous operations with deadlines. The only client file that includes Beast.
#include "client/http_client.h"

#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>

namespace pilotledger::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

Status Unavailable(const std::string& what, const beast::error_code& ec) {
  return Status(Code::kUnavailable, what + ": " + (ec == beast::error::timeout ? std::string("timeout") : ec.message()));
}

// Runs the io_context until `done` or the deadline; the operations themselves carry the deadline.
void RunUntil(net::io_context& ioc, const bool& done) {
  ioc.restart();
  while (!done && ioc.run_one() > 0) {
  }
}

}  // namespace

struct HttpClient::Impl {
  std::string host, port;
  bool tls = false;
  ClientOptions options;
  net::io_context ioc;
  std::optional<ssl::context> ssl_ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& Tcp() { return tls ? beast::get_lowest_layer(*secure) : *plain; }
  bool connected() const { return tls ? secure.has_value() : plain.has_value(); }
  void Disconnect() {
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  // Connects `stream` (a tcp_stream, or an ssl_stream after its handshake).
  Status Connect() {
    Disconnect();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Unavailable("cannot resolve " + host, ec);
    bool done = false;
    if (tls) {
      secure.emplace(ioc, *ssl_ctx);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), host.c_str())) {
        return Status(Code::kUnavailable, "cannot set TLS server name");
      }
      secure->set_verify_callback(ssl::host_name_verification(host));
    } else {
      plain.emplace(ioc);
    }
    Tcp().expires_after(options.timeout);
    Tcp().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    RunUntil(ioc, done);
    if (ec) {
      Disconnect();
      return Unavailable("cannot connect to " + host + ":" + port, ec);
    }
    if (tls) {
      done = false;
      secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
      });
      RunUntil(ioc, done);
      if (ec) {
        Disconnect();
        return Unavailable("TLS handshake with " + host, ec);
      }
    }
    return Status::Ok();
  }

  template <class Stream>
  Result<HttpResult> Exchange(Stream& stream, http::request<http::string_body>& req) {
    beast::error_code ec;
    bool done = false;
    Tcp().expires_after(options.timeout);
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    RunUntil(ioc, done);
    // A server may answer before reading the whole request (413 for a body too large) and close;
    // its answer is still worth reading.
    const beast::error_code write_error = ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(size_t{256} << 20);
    done = false;
    http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    RunUntil(ioc, done);
    if (ec) return Unavailable(write_error ? "sending the request" : "reading the response", write_error ? write_error : ec);
    auto& res = parser.get();
    HttpResult out{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), std::move(res.body())};
    if (!res.keep_alive() || write_error) Disconnect();
    return out;
  }
};

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& base_url, ClientOptions options) {
  const auto url = boost::urls::parse_uri(base_url);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty()) {
    return Status(Code::kInvalidArgument, "the server URL must look like http://127.0.0.1:8080 or https://host:port");
  }
  auto impl = std::make_unique<Impl>();
  impl->tls = url->scheme() == "https";
  impl->host = std::string(url->host_name().empty() ? url->host() : url->host_name());
  if (url->host_type() == boost::urls::host_type::ipv6) impl->host = std::string(url->host_ipv6_address().to_string());
  else if (url->host_type() == boost::urls::host_type::ipv4) impl->host = url->host_ipv4_address().to_string();
  impl->port = url->has_port() ? std::string(url->port()) : (impl->tls ? "443" : "80");
  impl->options = std::move(options);
  if (impl->tls) {
    impl->ssl_ctx.emplace(ssl::context::tls_client);
    beast::error_code ec;
    if (impl->options.ca_file.empty()) {
      impl->ssl_ctx->set_default_verify_paths(ec);
    } else {
      impl->ssl_ctx->load_verify_file(impl->options.ca_file, ec);
    }
    if (ec) return Status(Code::kInvalidArgument, "cannot load the CA file: " + ec.message());
    impl->ssl_ctx->set_verify_mode(ssl::verify_peer);
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<HttpResult> HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                                       const Headers& headers) {
  Impl& s = *impl_;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, s.host);
  req.set(http::field::user_agent, "pilotctl/" PILOTLEDGER_VERSION);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  // A kept-alive connection may have been closed by the server meanwhile: retry once on a fresh
  // one. Appends are idempotent by event id, so a repeat is safe.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = s.connected();
    if (!reused) PL_RETURN_IF_ERROR(s.Connect());
    Result<HttpResult> r = s.tls ? s.Exchange(*s.secure, req) : s.Exchange(*s.plain, req);
    if (r.ok()) return r;
    s.Disconnect();
    if (!reused) return r;
  }
  return Status(Code::kUnavailable, "the server closed the connection");
}

struct WebSocket::Impl {
  net::io_context ioc;
  std::optional<ssl::context> ssl_ctx;
  std::optional<websocket::stream<beast::tcp_stream>> plain;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
  beast::flat_buffer buffer;
  bool pending = false;
  bool done = false;
  beast::error_code ec;

  template <class F>
  void With(F&& f) {
    if (plain) f(*plain);
    else f(*secure);
  }
};

Result<std::unique_ptr<WebSocket>> HttpClient::OpenWebSocket(const std::string& target, const Headers& headers) {
  Impl& s = *impl_;
  auto ws = std::make_unique<WebSocket::Impl>();
  tcp::resolver resolver(ws->ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(s.host, s.port, ec);
  if (ec) return Unavailable("cannot resolve " + s.host, ec);
  bool done = false;
  auto finish = [&](beast::error_code e, auto&&...) {
    ec = e;
    done = true;
  };
  if (s.tls) {
    ws->secure.emplace(ws->ioc, *s.ssl_ctx);
    SSL_set_tlsext_host_name(ws->secure->next_layer().native_handle(), s.host.c_str());
    ws->secure->next_layer().set_verify_callback(ssl::host_name_verification(s.host));
  } else {
    ws->plain.emplace(ws->ioc);
  }
  ws->With([&](auto& stream) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(s.options.timeout);
    tcp_layer.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { finish(e); });
  });
  RunUntil(ws->ioc, done);
  if (ec) return Unavailable("cannot connect to " + s.host, ec);
  if (ws->secure) {
    done = false;
    ws->secure->next_layer().async_handshake(ssl::stream_base::client, finish);
    RunUntil(ws->ioc, done);
    if (ec) return Unavailable("TLS handshake", ec);
  }
  websocket::response_type response;
  ws->With([&](auto& stream) {
    beast::get_lowest_layer(stream).expires_never();
    stream.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    stream.set_option(websocket::stream_base::decorator([&headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    done = false;
    stream.async_handshake(response, s.host + ":" + s.port, target, finish);
  });
  RunUntil(ws->ioc, done);
  if (ec) {
    if (ec == websocket::error::upgrade_declined) {
      return Status(Code::kUnavailable, "the server declined the WebSocket upgrade with HTTP " +
                                            std::to_string(response.result_int()) + ": " + response.body());
    }
    return Unavailable("WebSocket handshake", ec);
  }
  return std::make_unique<WebSocket>(std::move(ws));
}

WebSocket::WebSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebSocket::~WebSocket() = default;

Result<std::string> WebSocket::Read(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (!s.pending) {
    s.pending = true;
    s.done = false;
    s.buffer.clear();
    s.With([&](auto& stream) {
      stream.async_read(s.buffer, [&s](beast::error_code e, std::size_t) {
        s.ec = e;
        s.done = true;
      });
    });
  }
  s.ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!s.done && s.ioc.run_one_until(deadline) > 0) {
  }
  if (!s.done) return Status(Code::kUnavailable, "timeout");
  s.pending = false;
  if (s.ec) {
    std::string reason;
    s.With([&](auto& stream) { reason = std::to_string(stream.reason().code) + " " + std::string(stream.reason().reason.data(), stream.reason().reason.size()); });
    if (s.ec == websocket::error::closed) return Status(Code::kUnavailable, "closed: " + reason);
    return Unavailable("reading the WebSocket", s.ec);
  }
  return beast::buffers_to_string(s.buffer.data());
}

void WebSocket::Close() {
  Impl& s = *impl_;
  bool done = false;
  s.With([&](auto& stream) {
    if (!stream.is_open()) {
      done = true;
      return;
    }
    stream.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  });
  s.ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!done && s.ioc.run_one_until(deadline) > 0) {
  }
}

}  // namespace pilotledger::client
