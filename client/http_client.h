#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace pilotledger::client {

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct ClientOptions {
  // PEM file of the certificate authorities to trust for https:// and wss:// (system ones if empty).
  std::string ca_file;
  // Every network operation must finish within this time.
  std::chrono::milliseconds timeout{30'000};
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class WebSocket;

// A synchronous HTTP/1.1 client for one server (http:// or https://), keeping one connection
// alive and reconnecting when it breaks. Not thread-safe: one per thread. Beast stays in the .cc.
class HttpClient {
 public:
  // `base_url`: "http://host:port" or "https://host:port". Errors: kInvalidArgument.
  static Result<std::unique_ptr<HttpClient>> Create(const std::string& base_url, ClientOptions options = {});
  ~HttpClient();

  // Sends one request; any HTTP status is a result. Errors: kUnavailable (connection, timeout).
  Result<HttpResult> Request(const std::string& method, const std::string& target, const std::string& body = "",
                             const Headers& headers = {});
  // Opens a WebSocket (ws:// or wss://) at `target` on the same server.
  Result<std::unique_ptr<WebSocket>> OpenWebSocket(const std::string& target, const Headers& headers = {});

  struct Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A client WebSocket: text messages in, closed by the server or by Close().
class WebSocket {
 public:
  ~WebSocket();
  // The next text message. Errors: kUnavailable with message "timeout" if none arrived in time
  // (the read stays pending and the next call continues it), or "closed: <code> <reason>".
  Result<std::string> Read(std::chrono::milliseconds timeout);
  // Sends a close frame and waits briefly for the server's.
  void Close();
  // Stops reading without closing: the server sees a watcher that does not read.
  struct Impl;
  explicit WebSocket(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pilotledger::client
