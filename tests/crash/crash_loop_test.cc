// The crash loop (issue 9): cycles of SIGKILL at chosen moments under 16 concurrent appenders and a
// watcher. A third of the kills land at a random moment, a third while /metrics shows a RocksDB
// compaction or flush running (the memtable is made tiny so that they run all the time), a third
// while it shows the projection snapshot being written (every 100 entries). After each restart:
// every acknowledged entry is at its seq with its leaf hash, seqs have no gaps, the new checkpoint
// is a consistent extension of the last one served, the projections equal a replay (pilotctl
// verify, which compares every unit and campaign served with its own replay), and the watcher
// resumes from its last seq + 1 without a gap or a duplicate.
//
// PILOTLEDGER_CRASH_CYCLES sets the number of cycles: 3 in the everyday suite, 20 in ./test --all.
#include <cstdlib>
#include <random>

#include "client/keys.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "tests/e2e/appender.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

using namespace std::chrono_literals;

enum class Moment { kRandom, kCompaction, kSnapshot };
const char* Name(Moment m) { return m == Moment::kRandom ? "a random moment" : m == Moment::kCompaction ? "a compaction or flush" : "a snapshot write"; }

int Cycles() {
  const char* env = std::getenv("PILOTLEDGER_CRASH_CYCLES");
  return env ? std::max(1, std::atoi(env)) : 3;
}

// Follows /v1/stream from `from` as `reader` until the connection ends (or, with `until`, until it
// saw the entry before that seq), recording each entry's seq and leaf hash.
class Watcher {
 public:
  Watcher(const testing::ServerProcess& server, const client::Identity& reader, uint64_t from, uint64_t until = UINT64_MAX) {
    auto c = server.Client();
    c->SetReader(reader);
    Result<std::unique_ptr<client::WebSocket>> ws = c->OpenStream("/v1/stream?from=" + std::to_string(from));
    EXPECT_TRUE(ws.ok()) << ws.status().ToString();
    if (!ws.ok()) return;
    ws_ = std::move(*ws);
    if (from >= until) return;
    thread_ = std::thread([this, until] {
      for (;;) {
        Result<std::string> m = ws_->Read(30s);
        if (!m.ok()) return;  // the server was killed
        const Json j = Json::parse(*m);
        if (!j.contains("entry")) continue;
        std::lock_guard lock(mu_);
        seen_.emplace_back(j["entry"]["seq"].get<uint64_t>(), merkle::HashLeaf(WriteCanonical(j["entry"])));
        if (seen_.back().first + 1 >= until) return;
      }
    });
  }
  std::vector<std::pair<uint64_t, Hash>> Join() {
    if (thread_.joinable()) thread_.join();
    return seen_;
  }

 private:
  std::unique_ptr<client::WebSocket> ws_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<uint64_t, Hash>> seen_;
};

// A gauge's value in the /metrics text, or -1.
int64_t Gauge(const std::string& metrics, const std::string& name) {
  const size_t at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::atoll(metrics.c_str() + at + name.size() + 2);
}

class CrashLoopTest : public testing::ServerTest {
 protected:
  CrashLoopTest() : ServerTest(std::nullopt) {}
  const std::vector<std::string> kFlags = {"--snapshot-interval", "100", "--rocksdb-write-buffer-bytes", "65536", "--log-requests", "false"};

  // Waits (up to 10 s) until `moment` is under way on the server; false if it never was.
  bool WaitFor(Moment moment, std::mt19937& rng) {
    if (moment == Moment::kRandom) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 700)(rng)));
      return true;
    }
    auto c = server_->Client();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      Result<client::HttpResult> m = c->Raw("GET", "/metrics");
      if (!m.ok()) return false;
      const bool under_way = moment == Moment::kSnapshot
                                 ? Gauge(m->body, "pilotledger_snapshot_writing") == 1
                                 : Gauge(m->body, "pilotledger_rocksdb_running_compactions") > 0 ||
                                       Gauge(m->body, "pilotledger_rocksdb_running_flushes") > 0;
      if (under_way) return true;
    }
    return false;
  }
};

TEST_F(CrashLoopTest, SigkillUnderLoadLosesNothingAcknowledgedAndTheWatcherMissesNothing) {
  std::mt19937 rng(20261201);
  ASSERT_TRUE(StartServer(kFlags));
  ASSERT_TRUE(c_->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  const std::string auditor_key = ledger_.dir() / "auditor-1.pem";
  const std::string verify_state = ledger_.dir() / "verify.state";
  ASSERT_OK(client::SaveIdentity(auditor_key, ledger_.Id("auditor-1")));
  const int cycles = Cycles();
  // Titled units, two revoked in each cycle, so that the projections have something to show.
  const std::vector<std::string> units = testing::TitledUnits(ledger_, *c_, 2 * cycles);
  ASSERT_OK_AND_ASSIGN(note::Verifier verifier, note::ParseVerifierKey(ledger_.verifier_key()));

  std::map<uint64_t, Hash> acked;                       // every acknowledgement of every cycle
  std::vector<std::pair<uint64_t, Hash>> watched;       // every entry the watcher saw, in order
  Checkpoint last_served{};                             // the last checkpoint served before a kill
  std::map<Moment, int> killed_during;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    const Moment moment = std::array{Moment::kRandom, Moment::kCompaction, Moment::kSnapshot}[cycle % 3];
    Watcher watcher(*server_, ledger_.Id("auditor-1"), watched.empty() ? 0 : watched.back().first + 1);
    std::vector<std::vector<SignedEvent>> work = testing::Work(ledger_, "c" + std::to_string(cycle) + "-", 15, 800);
    work.push_back({testing::Revocation(ledger_, units[2 * cycle]), testing::Revocation(ledger_, units[2 * cycle + 1])});
    {
      testing::ConcurrentAppender appender(*server_, std::move(work));
      appender.WaitFor(50);
      if (WaitFor(moment, rng)) ++killed_during[moment];
      // The last checkpoint served before the kill.
      Result<std::string> note = c_->SignedCheckpoint();
      ASSERT_TRUE(note.ok()) << note.status().ToString();
      ASSERT_OK_AND_ASSIGN(last_served, VerifyCheckpoint(*note, verifier));
      server_->Stop(SIGKILL);
      appender.Join();
      EXPECT_EQ(appender.twice, 0) << "a seq was acknowledged twice";
      for (const auto& [seq, hash] : appender.acked) ASSERT_TRUE(acked.emplace(seq, hash).second) << "seq " << seq << " acknowledged again";
    }
    const std::vector<std::pair<uint64_t, Hash>> seen = watcher.Join();
    watched.insert(watched.end(), seen.begin(), seen.end());

    ASSERT_TRUE(StartServer(kFlags)) << "restart after the kill at " << Name(moment);
    ASSERT_OK_AND_ASSIGN(std::string note, c_->SignedCheckpoint());
    ASSERT_OK_AND_ASSIGN(Checkpoint now, VerifyCheckpoint(note, verifier));
    // A consistent extension of the last checkpoint served.
    ASSERT_GE(now.size, last_served.size);
    ASSERT_OK_AND_ASSIGN(auto proof, c_->ConsistencyProof(last_served.size, now.size));
    ASSERT_OK(merkle::VerifyConsistency(last_served.size, now.size, proof, last_served.root, now.root));
    // Every entry, without gaps: each acknowledged or watched one at its seq with its leaf hash.
    ASSERT_GT(now.size, acked.rbegin()->first);
    std::vector<Hash> leaves;
    while (leaves.size() < now.size) {
      ASSERT_OK_AND_ASSIGN(Json page, c_->Entries(leaves.size(), 1000));
      ASSERT_FALSE(page["entries"].empty());
      for (const Json& e : page["entries"]) {
        ASSERT_EQ(e["seq"], leaves.size()) << "a gap in the seqs";
        leaves.push_back(merkle::HashLeaf(WriteCanonical(e)));
      }
    }
    for (const auto& [seq, hash] : acked) ASSERT_EQ(leaves[seq], hash) << "acknowledged entry " << seq << " lost or changed";
    for (size_t i = 0; i < watched.size(); ++i) {
      ASSERT_EQ(watched[i].first, i) << "the watcher saw a gap or a duplicate";
      ASSERT_EQ(watched[i].second, leaves[i]) << "the watcher saw entry " << i << " other than it is stored";
    }
    // The projections served equal the auditor's replay; its state file carries on across cycles.
    std::string out;
    ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "--as", auditor_key, "verify", "--ledger-key",
                                   ledger_.verifier_key(), "--state", verify_state}, &out), 0) << out;
  }
  // Resumed once more, the watcher catches up with the whole log, still without a gap or a duplicate.
  ASSERT_OK_AND_ASSIGN(std::string note, c_->SignedCheckpoint());
  ASSERT_OK_AND_ASSIGN(Checkpoint last, VerifyCheckpoint(note, verifier));
  Watcher final_watcher(*server_, ledger_.Id("auditor-1"), watched.back().first + 1, last.size);
  const std::vector<std::pair<uint64_t, Hash>> rest = final_watcher.Join();
  watched.insert(watched.end(), rest.begin(), rest.end());
  ASSERT_EQ(watched.size(), last.size);
  for (size_t i = 0; i < watched.size(); ++i) ASSERT_EQ(watched[i].first, i);
  std::cout << "killed during a random moment " << killed_during[Moment::kRandom] << ", a compaction or flush "
            << killed_during[Moment::kCompaction] << ", a snapshot write " << killed_during[Moment::kSnapshot] << " times; "
            << acked.size() << " acknowledged entries\n";
  if (cycles >= 20) {
    // The aimed kills found what they aimed at (most of the time; each waits up to 10 s).
    EXPECT_GE(killed_during[Moment::kCompaction], 4);
    EXPECT_GE(killed_during[Moment::kSnapshot], 4);
  }
}

}  // namespace
}  // namespace pilotledger
