// Hostile clients against the real server on loopback (issue 9, item 6), part 2: requests crafted
// to be read two ways (request smuggling), oversized and deeply nested requests, replayed events, a
// retired actor's signature and a stale read header. Each gets its documented error
// (docs/protocol.md §9, §12–§14), changes nothing (log size and checkpoint), and the next client is
// served. Part 1: hostile_clients_e2e_test.cc.
#include <sstream>

#include "tests/e2e/raw_http.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

using testing::RawConnection;
using testing::RawResponse;

class SmugglingTest : public testing::ServerTest {
 protected:
  SmugglingTest() : ServerTest(std::vector<std::string>{"--max-body-bytes", "65536", "--max-header-bytes", "4096"}) {}

  std::pair<uint64_t, std::string> LedgerState() {
    auto c = server_->Client();
    Result<Json> health = c->GetJson("/healthz");
    Result<std::string> checkpoint = c->SignedCheckpoint();
    return {health.ok() ? (*health)["size"].get<uint64_t>() : 0, checkpoint.ok() ? *checkpoint : ""};
  }
  // Sends `request` on a new connection; the answer, and whether the server closed the connection
  // right after it without answering anything else (a smuggled second request).
  RawResponse Exchange(const std::string& request) {
    RawConnection c(server_->address());
    EXPECT_TRUE(c.Send(request));
    RawResponse r = c.Read(std::chrono::seconds(10), std::chrono::seconds(5));
    EXPECT_EQ(c.pending(), "") << "a second answer on the same connection";
    return r;
  }
  static std::string ErrorCode(const RawResponse& r) {
    Result<Json> j = ParseStrictJson(r.body);
    return j.ok() && j->contains("error") ? (*j)["error"]["code"].get<std::string>() : "(not an error: " + r.body + ")";
  }
  std::string Submission(const std::string& actor) { return WriteCanonical(SubmissionJson(ledger_.Register({actor, "expert", "", "", ""}))); }
};

// `parts` as a chunked body.
std::string Chunked(const std::vector<std::string>& parts) {
  std::ostringstream out;
  for (const std::string& p : parts) out << std::hex << p.size() << "\r\n" << p << "\r\n";
  out << "0\r\n\r\n";
  return out.str();
}
std::string Chunked(const std::string& body) { return Chunked(std::vector<std::string>{body}); }

TEST_F(SmugglingTest, AmbiguousFramingIsRefusedWith400AndClosedAndAppendsNothing) {
  const auto before = LedgerState();
  const std::string body = Submission("smuggled"), second = Submission("smuggled-2");
  const std::string head = "POST /v1/entries HTTP/1.1\r\nHost: x\r\n";
  const std::string len = std::to_string(body.size());
  // The second request inside each: what a front end reading the framing the other way would forward.
  const std::string inner = "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(second.size()) + "\r\n\r\n" + second;
  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"Content-Length then Transfer-Encoding", head + "Content-Length: " + len + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunked(body) + inner},
      {"Transfer-Encoding then Content-Length", head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + Chunked(body) + inner},
      {"Content-Length twice, equal", head + "Content-Length: " + len + "\r\nContent-Length: " + len + "\r\n\r\n" + body + inner},
      {"Content-Length twice, different", head + "Content-Length: " + len + "\r\nContent-Length: 0\r\n\r\n" + body + inner},
      {"a Content-Length list", head + "Content-Length: " + len + ", " + len + "\r\n\r\n" + body + inner},
      {"Transfer-Encoding twice", head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunked(body) + inner},
      {"obs-fold in Content-Length", head + "Content-Length:\r\n " + len + "\r\n\r\n" + body + inner},
      {"obs-fold in another header", head + "X-Folded: a\r\n\tb\r\nContent-Length: " + len + "\r\n\r\n" + body + inner},
      {"obs-fold hiding Transfer-Encoding", head + "X-Hide: a\r\n Transfer-Encoding: chunked\r\nContent-Length: " + len + "\r\n\r\n" + body},
      {"a space before the colon", head + "Transfer-Encoding : chunked\r\nContent-Length: " + len + "\r\n\r\n" + body + inner},
      {"Transfer-Encoding not ending in chunked", head + "Transfer-Encoding: chunked, identity\r\n\r\n" + Chunked(body) + inner},
      {"a bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n" + inner},
      {"a negative Content-Length", head + "Content-Length: -" + len + "\r\n\r\n" + body + inner},
      {"a bare LF line ending", "POST /v1/entries HTTP/1.1\nHost: x\nContent-Length: " + len + "\n\n" + body + inner},
  };
  for (const auto& [name, request] : attacks) {
    const RawResponse r = Exchange(request);
    EXPECT_EQ(r.status, 400) << name << ": " << r.body;
    EXPECT_EQ(ErrorCode(r), "bad_request") << name;
    EXPECT_TRUE(r.closed) << name << ": the connection stayed open";
    EXPECT_EQ(LedgerState(), before) << name;
  }
  // The same body, framed once, is appended (the refusals were about the framing).
  const RawResponse ok = Exchange(head + "Connection: close\r\nContent-Length: " + len + "\r\n\r\n" + body);
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(SmugglingTest, OversizedRequestsInEveryFormGet413Or431AndAreClosed) {
  const auto before = LedgerState();
  const std::vector<std::tuple<std::string, std::string, int, std::string>> attacks = {
      {"one long header", "GET /healthz HTTP/1.1\r\nX-Pad: " + std::string(8000, 'a') + "\r\n\r\n", 431, "header_too_large"},
      {"many short headers", "GET /healthz HTTP/1.1\r\n" + [] {
         std::string h;
         for (int i = 0; i < 1000; ++i) h += "X-" + std::to_string(i) + ": 1\r\n";
         return h;
       }() + "\r\n", 431, "header_too_large"},
      {"a long target", "GET /v1/units/" + std::string(8000, 'a') + " HTTP/1.1\r\n\r\n", 431, "header_too_large"},
      {"a header block that never ends", "GET /healthz HTTP/1.1\r\nX-Pad: " + std::string(6000, 'a'), 431, "header_too_large"},
      {"a declared huge body", "POST /v1/entries HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\n{", 413, "payload_too_large"},
      {"a body over the limit", "POST /v1/entries HTTP/1.1\r\nContent-Length: 70000\r\n\r\n" + std::string(70000, ' '), 413,
       "payload_too_large"},
      {"chunks over the limit",
       "POST /v1/entries HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunked({std::string(40000, ' '), std::string(40000, ' ')}), 413,
       "payload_too_large"},
  };
  for (const auto& [name, request, status, code] : attacks) {
    const RawResponse r = Exchange(request);
    EXPECT_EQ(r.status, status) << name << ": " << r.body;
    EXPECT_EQ(ErrorCode(r), code) << name;
    EXPECT_TRUE(r.closed) << name;
  }
  EXPECT_EQ(LedgerState(), before);
}

TEST_F(SmugglingTest, DeeplyNestedJsonIsRefusedWithoutHarm) {
  const auto before = LedgerState();
  auto c = server_->Client();
  const auto code = [&](const std::string& body) {
    Result<client::HttpResult> r = c->Raw("POST", "/v1/entries", body);
    return r.ok() ? std::make_pair(r->status, client::StatusFromError(*r).code()) : std::make_pair(0, Code::kUnavailable);
  };
  EXPECT_EQ(code(std::string(65000, '[')), std::make_pair(400, Code::kMalformedJson));
  std::string objects;
  for (int i = 0; i < 10000; ++i) objects += "{\"a\":";
  EXPECT_EQ(code(objects), std::make_pair(400, Code::kMalformedJson));
  // Inside an otherwise valid submission: 65 levels are refused by the parser, 64 get as far as the
  // submission's schema.
  const std::string sub = Submission("nested");
  const auto nested_in_body = [&](int depth) {  // the submission object is level 1
    return sub.substr(0, sub.size() - 1) + ",\"x\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  EXPECT_EQ(code(nested_in_body(65)), std::make_pair(400, Code::kMalformedJson));
  EXPECT_EQ(code(nested_in_body(64)), std::make_pair(400, Code::kSchemaViolation));
  EXPECT_EQ(LedgerState(), before);
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt r, c->Append(ledger_.Register({"after-nesting", "expert", "", "", ""})));
  EXPECT_EQ(r.seq, 1u);
}

// A replayed event, however often and from however many connections, gets its first receipt with
// 200, also with forged signatures (docs/protocol.md §17.5), and adds no entry.
TEST_F(SmugglingTest, ReplayedEventsGetTheSameReceiptAndAddNothing) {
  const SignedEvent e = ledger_.Register({"replayed", "expert", "", "", ""});
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt first, c_->Append(e));
  const auto before = LedgerState();
  SignedEvent forged = e;
  forged.sigs[0].sig[3] ^= 1;
  const std::string bodies[] = {WriteCanonical(SubmissionJson(e)), SubmissionJson(e).dump(2), WriteCanonical(SubmissionJson(forged))};
  const std::string want = WriteCanonical({{"seq", first.seq}, {"leaf_hash", HashBase64(first.leaf_hash)}, {"received", first.received}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto c = server_->Client();
      for (int i = 0; i < 30; ++i) {
        Result<client::HttpResult> r = c->Raw("POST", "/v1/entries", bodies[(t + i) % 3]);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, want);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(LedgerState(), before);
}

// A retired (revoked) actor's signature refuses the event with 403 forbidden (docs/protocol.md §17.3),
// also as an extra signature; a forged one by it is bad_signature; its read header is 401.
TEST_F(SmugglingTest, ARetiredActorsSignatureIsForbiddenAndItsReadHeaderUnauthenticated) {
  const Json miit2 = testing::TestLedger::Descriptor({"miit-2", "ministry", "miit", "", ""}, ledger_.NewKey("miit-2"));
  Result<client::AppendReceipt> registered = c_->Append(ledger_.Event("reg-miit-2", "actor.registered", miit2, testing::kMinistries));
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  Result<client::AppendReceipt> retired =
      c_->Append(ledger_.Event("retire-miit-2", "actor.revoked", {{"actor", "miit-2"}, {"reason", "retired"}}, testing::kMinistries));
  ASSERT_TRUE(retired.ok()) << retired.status().ToString();
  const auto before = LedgerState();
  const Json body = testing::TestLedger::Descriptor({"by-retired", "expert", "", "", ""}, ledger_.NewKey("by-retired"));
  EXPECT_EQ(c_->Append(ledger_.Event("by-retired", "actor.registered", body, {"miit-2"})).status().code(), Code::kForbidden);
  EXPECT_EQ(c_->Append(ledger_.Event("co-retired", "actor.registered", body, {"miit", "miit-2"})).status().code(), Code::kForbidden);
  SignedEvent forged = ledger_.Event("forged-retired", "actor.registered", body, {"miit-2"});
  forged.sigs[0].sig[0] ^= 1;
  EXPECT_EQ(c_->Append(forged).status().code(), Code::kBadSignature);
  EXPECT_EQ(As("miit-2")->Entries(0, 10).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(LedgerState(), before);
  EXPECT_TRUE(c_->Append(ledger_.Event("by-active", "actor.registered", body, {"miit"})).ok());
}

// A read header captured and replayed more than 300 s after its time is refused, on the stream's
// upgrade as on any request; within the window the same request may be repeated (no nonce).
// The plain reads are tried in AccessTest.StaleForgedAndUnknownReadHeadersAreUnauthenticated.
TEST_F(SmugglingTest, AReadHeaderReplayedAfter300sIsRefusedOnTheStreamAndHealthz) {
  SystemClock clock;
  const client::Identity miit = ledger_.Id("miit");
  for (const std::string target : {"/v1/stream?from=0", "/healthz", "/metrics"}) {
    const std::string stale = client::ReadAuthorization("GET", target, miit, Timestamp{clock.Now().ms - 300'500});
    const std::string upgrade = target.rfind("/v1/stream", 0) == 0 ? "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                                                   : "";
    const RawResponse r = Exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + upgrade + "Authorization: " + stale + "\r\n\r\n");
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(ErrorCode(r), "unauthenticated") << target;
  }
  const std::string target = "/v1/entries?from=0&limit=1";
  const std::string fresh = client::ReadAuthorization("GET", target, miit, clock.Now());
  for (int i = 0; i < 2; ++i) {
    const RawResponse r = Exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: " + fresh + "\r\n\r\n");
    EXPECT_EQ(r.status, 200) << r.body;
  }
}

}  // namespace
}  // namespace pilotledger
