// The server under hostile or careless clients: slow requests, oversized headers and bodies,
// request floods, too many connections, malformed HTTP; and TLS end to end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

// Each test starts the server with the limits it tries.
class HardeningTest : public testing::ServerTest {
 protected:
  HardeningTest() : ServerTest(std::nullopt) {}
};

// A raw TCP connection to the server, for requests no well-behaved client sends.
class RawConnection {
 public:
  explicit RawConnection(const std::string& address) {
    const auto colon = address.rfind(':');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(std::stoi(address.substr(colon + 1))));
    inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{0, 200'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { close(fd_); }
  bool connected() const { return connected_; }
  bool Send(const std::string& s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size()); }
  // Reads what arrives within `wait`; sets `closed` if the server closed the connection.
  std::string Receive(std::chrono::milliseconds wait, bool* closed = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, size_t(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        if (closed) *closed = true;
        break;
      }
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

TEST_F(HardeningTest, ARequestSentOneByteASecondIsCutOff) {
  ASSERT_TRUE(StartServer({"--request-timeout-ms", "1500"}));
  RawConnection c(server_->address());
  ASSERT_TRUE(c.connected());
  const std::string request = "GET /v1/checkpoint HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (size_t i = 0; i < request.size() && !closed; ++i) {
    if (!c.Send(request.substr(i, 1))) break;
    c.Receive(std::chrono::milliseconds(1000), &closed);
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_TRUE(closed) << "a one-byte-per-second request was still open after " << elapsed.count() << " ms";
  EXPECT_LT(elapsed.count(), 4000);
  // Everyone else is unaffected.
  EXPECT_TRUE(server_->Client()->SignedCheckpoint().ok());
}

TEST_F(HardeningTest, OversizedHeadersAndBodiesAreRefusedWithTheirCodes) {
  ASSERT_TRUE(StartServer({"--max-body-bytes", "4096", "--max-header-bytes", "2048"}));
  auto c = server_->Client();
  Result<client::HttpResult> big_header = c->http().Request("GET", "/healthz", "", {{"X-Padding", std::string(4000, 'a')}});
  ASSERT_TRUE(big_header.ok()) << big_header.status().ToString();
  EXPECT_EQ(big_header->status, 431);
  EXPECT_EQ(client::StatusFromError(*big_header).code(), Code::kHeaderTooLarge);
  Result<client::HttpResult> big_body = c->Raw("POST", "/v1/entries", std::string(5000, ' '));
  ASSERT_TRUE(big_body.ok()) << big_body.status().ToString();
  EXPECT_EQ(big_body->status, 413);
  EXPECT_EQ(client::StatusFromError(*big_body).code(), Code::kPayloadTooLarge);
  ASSERT_OK_AND_ASSIGN(Json page, c->Entries(0, 10));
  EXPECT_EQ(page["entries"].size(), 1u);
}

TEST_F(HardeningTest, MalformedHttpGetsBadRequestAndTheServerStaysUp) {
  ASSERT_TRUE(StartServer());
  for (const std::string& junk : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                                 std::string("POST /v1/entries HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
                                 std::string("GET /v1/entries HTTP/1.1\r\nHost x\r\n\r\n"), std::string(10000, '\0')}) {
    RawConnection c(server_->address());
    ASSERT_TRUE(c.Send(junk));
    const std::string answer = c.Receive(std::chrono::milliseconds(1000));
    if (!answer.empty()) {
      EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 400") << answer;
    }
  }
  ASSERT_OK_AND_ASSIGN(client::HttpResult health, server_->Client()->Raw("GET", "/healthz"));
  EXPECT_EQ(health.status, 200);
  // Percent-encoded and odd targets are answered, never crash the server.
  auto c = server_->Client();
  for (const char* target : {"/v1/units/%00", "/v1/entries/%31", "/v1/entries?from=%ZZ", "/v1/units?limit=0", "//v1//entries",
                             "/v1/campaigns/%E6%99%BA/quotas", "/v1/proofs/inclusion?index=18446744073709551616&size=1"}) {
    Result<client::HttpResult> r = c->Raw("GET", target);
    ASSERT_TRUE(r.ok()) << target;
    EXPECT_GE(r->status, 400) << target;
    EXPECT_LT(r->status, 500) << target;
  }
}

TEST_F(HardeningTest, RequestFloodOnOneConnectionGets429) {
  ASSERT_TRUE(StartServer({"--requests-per-second", "20"}));
  auto c = server_->Client();
  int ok = 0, limited = 0;
  for (int i = 0; i < 40; ++i) {
    Result<client::HttpResult> r = c->Raw("GET", "/healthz");
    ASSERT_TRUE(r.ok());
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_EQ(client::StatusFromError(*r).code(), Code::kTooManyRequests);
    }
  }
  EXPECT_GE(ok, 20);
  EXPECT_GE(limited, 1);
}

TEST_F(HardeningTest, ConnectionsPastTheLimitGet503) {
  ASSERT_TRUE(StartServer({"--max-connections", "4"}));
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawConnection>(server_->address()));
    ASSERT_TRUE(held.back()->connected());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RawConnection extra(server_->address());
  ASSERT_TRUE(extra.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string answer = extra.Receive(std::chrono::milliseconds(1000));
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 503") << answer;
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_OK_AND_ASSIGN(client::HttpResult health, server_->Client()->Raw("GET", "/healthz"));
  EXPECT_EQ(health.status, 200);
}

TEST_F(HardeningTest, TlsEndToEndForHttpAndWebSocket) {
  const std::string cert = ledger_.dir() / "cert.pem", key = ledger_.dir() / "key.pem";
  std::string out;
  ASSERT_EQ(testing::RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                 "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                 "-addext", "subjectAltName=IP:127.0.0.1"},
                                &out),
            0)
      << out;
  ASSERT_TRUE(StartServer({"--tls-cert", cert, "--tls-key", key}));
  ASSERT_OK_AND_ASSIGN(auto c, client::LedgerClient::Connect("https://" + server_->address(), {.ca_file = cert}));
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt r, c->Append(ledger_.Register({"tls-expert", "expert", "", "", ""})));
  EXPECT_EQ(r.seq, 1u);
  ASSERT_OK_AND_ASSIGN(std::string checkpoint, c->SignedCheckpoint());
  EXPECT_NE(checkpoint.find("\n2\n"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto ws, c->OpenStream("/v1/stream?from=0"));
  ASSERT_OK_AND_ASSIGN(std::string first, ws->Read(std::chrono::seconds(5)));
  EXPECT_EQ(Json::parse(first)["entry"]["seq"], 0);
  // A client that does not trust the certificate refuses it; plain HTTP to the TLS port fails.
  ASSERT_OK_AND_ASSIGN(auto untrusting, client::LedgerClient::Connect("https://" + server_->address()));  // system CAs only
  EXPECT_FALSE(untrusting->SignedCheckpoint().ok());
  ASSERT_OK_AND_ASSIGN(auto plain, client::LedgerClient::Connect("http://" + server_->address()));
  EXPECT_FALSE(plain->SignedCheckpoint().ok());
}

}  // namespace
}  // namespace pilotledger
