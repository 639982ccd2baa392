// Hostile clients against the real server on loopback (issue 9, item 6), part 1: clients that hold
// connections (slowloris on the body, thousands of idle or half-sent connections) and a flood of
// invalid signatures. Each gets its documented treatment (docs/protocol.md §12), changes nothing, and
// the other clients are served meanwhile. Speed under attack is measured by bench/, not here.
// The rest: request_smuggling_e2e_test.cc. Tried elsewhere (docs/reliability.md, "Attacks tried"):
// a one-byte-a-second header (HardeningTest), watchers that never read (StreamTest).
#include <sys/resource.h>

#include <atomic>

#include "tests/e2e/raw_http.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

using testing::RawConnection;

class HostileClientsTest : public testing::ServerTest {
 protected:
  HostileClientsTest() : ServerTest(std::nullopt) {}

  // The log size and the signed checkpoint: what a refused attack must leave as it was.
  std::pair<uint64_t, std::string> LedgerState() {
    auto c = server_->Client();
    Result<Json> health = c->GetJson("/healthz");
    Result<std::string> checkpoint = c->SignedCheckpoint();
    return {health.ok() ? (*health)["size"].get<uint64_t>() : 0, checkpoint.ok() ? *checkpoint : ""};
  }
};

// A request whose body trickles in is cut off after request_timeout, without an answer and without
// appending anything, while ordinary clients go on being served.
TEST_F(HostileClientsTest, ABodySentOneByteAtATimeIsCutOffWithoutAnAnswerAndAppendsNothing) {
  ASSERT_TRUE(StartServer({"--request-timeout-ms", "1000"}));
  const auto before = LedgerState();
  const std::string body = WriteCanonical(SubmissionJson(ledger_.Register({"slow-expert", "expert", "", "", ""})));
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->address()));
    ASSERT_TRUE(slow.back()->Send("POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  }
  // One byte each every 200 ms: the whole body would take minutes; the server gives it 1 s.
  std::vector<bool> closed(slow.size(), false);
  size_t sent = 0, open = slow.size();
  while (open > 0 && sent < body.size()) {
    for (size_t i = 0; i < slow.size(); ++i) {
      if (!closed[i] && (!slow[i]->Send(body.substr(sent, 1)) || slow[i]->WaitClosed(std::chrono::milliseconds(10)))) {
        closed[i] = true;
        --open;
      }
    }
    ++sent;
    // Meanwhile an ordinary client is served.
    EXPECT_TRUE(server_->Client()->SignedCheckpoint().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(open, 0u) << "slow bodies still open after " << sent << " bytes of " << body.size();
  for (const auto& c : slow) EXPECT_EQ(c->pending(), "") << "a slow request got an answer";
  EXPECT_EQ(LedgerState(), before);
}

// 2000 connections that send nothing, and 500 that send half a request line: ordinary clients are
// served while they are open, and the server closes every one of them (idle_timeout,
// request_timeout) without an answer.
TEST_F(HostileClientsTest, ThousandsOfIdleAndHalfSentConnectionsAreClosedAndOthersAreServed) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_max, rlim_t{3000}) << "the test needs 3000 open files";
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_TRUE(StartServer({"--idle-timeout-ms", "2000", "--request-timeout-ms", "2000", "--log-requests", "false"}));
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 2500; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server_->address()));
    ASSERT_TRUE(idle.back()->connected()) << "connection " << i;
    if (i >= 2000) {
      ASSERT_TRUE(idle.back()->Send("GET /heal"));
    }
  }
  auto c = server_->Client();
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt r, c->Append(ledger_.Register({"busy-expert", "expert", "", "", ""})));
  EXPECT_EQ(r.seq, 1u);
  ASSERT_OK_AND_ASSIGN(Json page, c->Entries(0, 10));
  EXPECT_EQ(page["entries"].size(), 2u);
  ASSERT_OK_AND_ASSIGN(Json metrics_free, c->GetJson("/healthz"));
  EXPECT_EQ(metrics_free["status"], "ok");
  size_t closed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const auto& conn : idle) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (conn->WaitClosed(std::max(left, std::chrono::milliseconds(1)))) ++closed;
    EXPECT_EQ(conn->pending(), "");
  }
  EXPECT_EQ(closed, idle.size());
  idle.clear();
  ASSERT_OK_AND_ASSIGN(Json after, server_->Client()->Entries(0, 10));
  EXPECT_EQ(after["entries"].size(), 2u);
}

// Four connections flood appends with forged signatures while two others append valid events and
// read: every forged one is refused with bad_signature and stores nothing; every valid append is
// stored and every read answered.
TEST_F(HostileClientsTest, AFloodOfInvalidSignaturesNeitherStopsValidAppendsNorReads) {
  ASSERT_TRUE(StartServer({"--requests-per-second", "0", "--log-requests", "false"}));
  constexpr int kValid = 40;
  std::atomic<bool> done{false};
  std::atomic<int> forged_refused{0}, forged_other{0};
  std::vector<SignedEvent> valid;
  for (int i = 0; i < kValid; ++i) valid.push_back(ledger_.Register({"expert-" + std::to_string(i), "expert", "", "", ""}));
  std::vector<std::string> forged;
  for (int i = 0; i < 64; ++i) {
    SignedEvent e = ledger_.Register({"forged-" + std::to_string(i), "expert", "", "", ""});
    e.sigs[0].sig[i % 64] ^= 1;
    forged.push_back(WriteCanonical(SubmissionJson(e)));
  }
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&, t] {
      auto c = server_->Client();
      for (size_t i = t; !done; ++i) {
        Result<client::HttpResult> r = c->Raw("POST", "/v1/entries", forged[i % forged.size()]);
        const bool refused = r.ok() && r->status == 401 && client::StatusFromError(*r).code() == Code::kBadSignature;
        ++(refused ? forged_refused : forged_other);
      }
    });
  }
  std::thread reader([&] {
    auto c = server_->Client();
    for (int i = 0; i < kValid; ++i) {
      EXPECT_TRUE(c->Entries(0, 100).ok());
      EXPECT_TRUE(c->GetJson("/v1/actors").ok());
    }
  });
  {
    auto c = server_->Client();
    for (int i = 0; i < kValid; ++i) {
      Result<client::AppendReceipt> r = c->Append(valid[i]);
      if (!r.ok()) {
        ADD_FAILURE() << "valid append " << i << ": " << r.status().ToString();
        break;
      }
      EXPECT_TRUE(r->created);
    }
  }
  reader.join();
  done = true;
  for (auto& t : flood) t.join();
  EXPECT_GT(forged_refused.load(), 0);
  EXPECT_EQ(forged_other.load(), 0);
  ASSERT_OK_AND_ASSIGN(Json page, server_->Client()->Entries(0, 1000));
  ASSERT_EQ(page["entries"].size(), size_t(kValid + 1));
  for (const Json& e : page["entries"]) EXPECT_EQ(e["event"]["id"].get<std::string>().find("forged"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(client::HttpResult metrics, server_->Client()->Raw("GET", "/metrics"));
  EXPECT_NE(metrics.body.find("pilotledger_append_rejections_total{code=\"bad_signature\"} " + std::to_string(forged_refused.load())),
            std::string::npos)
      << metrics.body;
}

}  // namespace
}  // namespace pilotledger
