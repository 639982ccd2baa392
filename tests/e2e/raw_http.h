// Raw HTTP/1.1 over a plain TCP socket, for the requests no well-behaved client sends (bytes a
// client library would refuse or fix up) and for reading exactly what the server answers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <string>

namespace pilotledger::testing {

struct RawResponse {
  int status = 0;  // 0: no complete answer
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool closed = false;  // the server closed the connection after the answer (or without one)
};

class RawConnection {
 public:
  explicit RawConnection(const std::string& address) {
    const auto colon = address.rfind(':');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(std::stoi(address.substr(colon + 1))));
    inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  bool Send(const std::string& s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size()); }

  // Reads one answer (status line, headers, a Content-Length body) within `wait`, then whether the
  // connection is closed right after it (waiting up to `close_wait` for the end of the stream).
  RawResponse Read(std::chrono::milliseconds wait = std::chrono::seconds(10),
                   std::chrono::milliseconds close_wait = std::chrono::milliseconds(0)) {
    RawResponse r;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    size_t header_end = std::string::npos;
    while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline, r.closed)) return r;
    }
    const std::string head = pending_.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() >= 12 && status_line.rfind("HTTP/1.1 ", 0) == 0) r.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1) == std::string::npos ? line.size()
                                                                                              : line.find_first_not_of(' ', colon + 1));
    }
    const size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    pending_.erase(0, header_end + 4);
    while (pending_.size() < length) {
      if (!Fill(deadline, r.closed)) {
        r.status = 0;
        return r;
      }
    }
    r.body = pending_.substr(0, length);
    pending_.erase(0, length);
    if (!r.closed && close_wait.count() > 0) r.closed = WaitClosed(close_wait);
    return r;
  }

  // True if the server ends the stream within `wait` (bytes that arrive meanwhile are kept).
  bool WaitClosed(std::chrono::milliseconds wait) {
    bool closed = false;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!closed && Fill(deadline, closed)) {
    }
    return closed;
  }
  const std::string& pending() const { return pending_; }

 private:
  // Appends what arrives before `deadline`; false on timeout or end of stream (`closed` set).
  bool Fill(std::chrono::steady_clock::time_point deadline, bool& closed) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(left)) <= 0) return false;
    char buf[8192];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
      return false;
    }
    pending_.append(buf, size_t(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

// Sends `request` on a new connection and reads the answer.
inline RawResponse RawExchange(const std::string& address, const std::string& request,
                               std::chrono::milliseconds close_wait = std::chrono::milliseconds(0)) {
  RawConnection c(address);
  if (!c.connected() || !c.Send(request)) return {};
  return c.Read(std::chrono::seconds(10), close_wait);
}

}  // namespace pilotledger::testing
