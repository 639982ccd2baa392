// Tampering at rest (issue 9): one flipped byte in a stored leaf, a tree node, an id record, the
// projection snapshot or the latest checkpoint of a stopped ledger. With `--verify-on-start full`
// `pilotledgerd serve` refuses to start, naming what is wrong and where; by default (background) it
// refuses what the start checks (checkpoint, tree border, snapshot) and, for the rest, serves reads
// but refuses appends (503) and answers /healthz 503 naming it once its background check is done.
// A server that serves a doctored log anyway (the tests' unverified_pilotledgerd) is caught by
// `pilotctl verify`, which names the first bad seq.
#include <chrono>
#include <filesystem>

#include "client/keys.h"
#include "ledger/encoding.h"
#include "ledger/store.h"
#include "ledger/timestamp.h"
#include "tests/e2e/server_fixture.h"
#include <thread>

namespace pilotledger {
namespace {

struct Tampering {
  const char* name;
  std::string key;          // the RocksDB key whose value gets one byte flipped
  size_t offset;            // which byte (from the start of the value)
  std::string refusal;      // what `serve` must say
  bool at_start = false;    // found before serving in the default (background) mode too
  std::string at_start_refusal = "";  // what the default start says, if not `refusal`
};

std::string EntryKey(uint64_t seq) { return "e" + EncodeBigEndian64(seq); }
std::string NodeKey(int level, uint64_t index) { return std::string("n") + char(level) + EncodeBigEndian64(index); }

class TamperingTest : public testing::ServerTest {
 protected:
  TamperingTest() : ServerTest(std::nullopt) {}

  // A ledger of 8 entries, cleanly stopped (so it also holds a snapshot of all of them).
  void Populate() {
    ASSERT_TRUE(StartServer());
    auto c = server_->Client();
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(c->Append(ledger_.Register({"t" + std::to_string(i), "expert", "", "", ""})).ok());
    ASSERT_EQ(server_->Stop(SIGTERM), 0);
    server_.reset();
  }

  // Flips one byte of the value at `key` (XOR 0x01), with the server stopped.
  void Flip(const std::string& key, size_t offset) {
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(ledger_.data_dir() + "/db", {}));
    ASSERT_OK_AND_ASSIGN(auto value, store->Get(key));
    ASSERT_TRUE(value.has_value()) << "no record to tamper with";
    ASSERT_LT(offset, value->size());
    (*value)[offset] = char((*value)[offset] ^ 0x01);
    ledger::WriteBatch batch;
    batch.Put(key, *value);
    ASSERT_OK(store->Write(batch, true));
  }

  // The id record key of the entry at `seq` (its event id read from the stored leaf).
  std::string IdKeyOf(uint64_t seq) {
    auto store = ledger::OpenRocksStore(ledger_.data_dir() + "/db", {});
    EXPECT_TRUE(store.ok());
    auto leaf = (*store)->Get(EntryKey(seq));
    EXPECT_TRUE(leaf.ok() && leaf->has_value());
    return "i" + Json::parse(**leaf)["event"]["id"].get<std::string>();
  }

  std::string LedgerKey() const { return ledger_.data_dir() + "/ledger-key.pem"; }
  // `serve` with every check before serving.
  int Serve(std::string* out) {
    return testing::RunCommand({testing::Bin("pilotledgerd"), "serve", "--data", ledger_.data_dir(), "--listen", "127.0.0.1:0",
                                "--verify-on-start", "full"},
                               out);
  }
  // A fresh copy of the pristine ledger with one byte flipped.
  void Reset(const std::string& pristine, const Tampering& t) {
    std::filesystem::remove_all(ledger_.data_dir());
    std::filesystem::copy(pristine, ledger_.data_dir(), std::filesystem::copy_options::recursive);
    std::filesystem::permissions(LedgerKey(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    Flip(t.key, t.offset);
  }
  std::vector<Tampering> Cases(const std::string& id5) const {
    return {
        {"a leaf, so that it no longer parses", EntryKey(4), 0, "entry 4 is not the canonical leaf it was written as"},
        {"a leaf, within a name", EntryKey(4), 20, "tree node 0/4 disagrees with the leaves (entry 4)"},
        {"a leaf's hash node", NodeKey(0, 6), 3, "tree node 0/6 disagrees with the leaves (entry 6)"},
        {"an inner tree node", NodeKey(2, 0), 31, "tree node 2/0 disagrees with the leaves (entry 3)"},
        {"an id record's event hash", id5, 12, "the id record of entry 5 (event id " + id5.substr(1) + ") is altered"},
        {"an id record's seq", id5, 7, "the id record of entry 5 (event id " + id5.substr(1) + ") is altered"},
        {"the projection snapshot", "x/snapshot", 40, "the projection snapshot (x/snapshot) does not verify with the ledger key", true},
        {"the snapshot's signature", "x/snapshot-sig", 0, "the projection snapshot (x/snapshot) does not verify with the ledger key", true},
        {"the latest checkpoint's root", "m/checkpoint", 30, "the stored checkpoint does not verify with the ledger key", true},
        {"the latest checkpoint's signature", "m/checkpoint", 100, "the stored checkpoint does not verify with the ledger key", true},
        // The tree of 8 entries has one border node, 3/0; the last leaf is read at start for the clock.
        {"the border node", NodeKey(3, 0), 5, "tree node 3/0 disagrees with the leaves (entry 7)", true,
         "the tree's stored right border disagrees with the latest checkpoint's root"},
        {"the last leaf", EntryKey(7), 20, "tree node 0/7 disagrees with the leaves (entry 7)", true},
    };
  }
};

TEST_F(TamperingTest, EachFlippedByteAtRestStopsTheServerNamingWhatAndWhere) {
  Populate();
  const std::string id5 = IdKeyOf(5);
  // Each case on a fresh copy of the same ledger.
  const std::string pristine = ledger_.dir() / "pristine";
  std::filesystem::copy(ledger_.data_dir(), pristine, std::filesystem::copy_options::recursive);
  ASSERT_TRUE(StartServer()) << "the untampered ledger serves";
  server_.reset();
  for (const Tampering& t : Cases(id5)) {
    SCOPED_TRACE(t.name);
    Reset(pristine, t);
    std::string out;
    ASSERT_EQ(Serve(&out), 1) << out;
    EXPECT_NE(out.find("refusing to serve: data_loss"), std::string::npos) << out;
    EXPECT_NE(out.find(t.refusal), std::string::npos) << out;
  }
}

// The default start checks the checkpoint and the tree's right border (O(log N)) and serves; the
// rest is checked in the background. What it finds stops the appends for good: 503 unavailable
// naming it, on /healthz too, in /metrics and on stderr; reads go on. An untampered ledger passes.
TEST_F(TamperingTest, TheBackgroundCheckStopsAppendsAndHealthzNamesWhatItFound) {
  Populate();
  const std::string id5 = IdKeyOf(5);
  const std::string pristine = ledger_.dir() / "pristine";
  std::filesystem::copy(ledger_.data_dir(), pristine, std::filesystem::copy_options::recursive);
  // The check's result as /metrics shows it (pilotledger_log_check: 0 running, 1 passed, 2 failed),
  // once it is no longer running.
  const auto check_result = [&]() -> std::string {
    for (;;) {
      Result<client::HttpResult> m = server_->Client()->Raw("GET", "/metrics");
      if (!m.ok()) return "no /metrics: " + m.status().ToString();
      const size_t at = m->body.find("\npilotledger_log_check ");
      if (at == std::string::npos) return "no pilotledger_log_check in /metrics";
      const std::string value = m->body.substr(at + 23, m->body.find('\n', at + 1) - at - 23);
      if (value != "0") return value;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  int n = 0;
  for (const Tampering& t : Cases(id5)) {
    SCOPED_TRACE(t.name);
    Reset(pristine, t);
    if (t.at_start) {
      std::string out;
      ASSERT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "serve", "--data", ledger_.data_dir(), "--listen", "127.0.0.1:0"}, &out), 1)
          << out;
      EXPECT_NE(out.find("refusing to serve: data_loss"), std::string::npos) << out;
      EXPECT_NE(out.find(t.at_start_refusal.empty() ? t.refusal : t.at_start_refusal), std::string::npos) << out;
      continue;
    }
    ASSERT_TRUE(StartServer()) << "the start checks only the checkpoint and the tree's border";
    EXPECT_EQ(check_result(), "2");
    ASSERT_OK_AND_ASSIGN(client::HttpResult health, server_->Client()->Raw("GET", "/healthz"));
    EXPECT_EQ(health.status, 503);
    EXPECT_NE(health.body.find("\"unavailable\""), std::string::npos) << health.body;
    EXPECT_NE(health.body.find(t.refusal), std::string::npos) << health.body;
    const Result<client::AppendReceipt> refused = c_->Append(ledger_.Register({"late" + std::to_string(n++), "expert", "", "", ""}));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Code::kUnavailable) << refused.status().ToString();
    EXPECT_NE(refused.status().message().find(t.refusal), std::string::npos) << refused.status().ToString();
    ASSERT_OK_AND_ASSIGN(client::HttpResult entry, server_->Client()->Raw("GET", "/v1/entries/1"));
    EXPECT_EQ(entry.status, 200) << "reads go on";
    ASSERT_OK_AND_ASSIGN(client::HttpResult metrics, server_->Client()->Raw("GET", "/metrics"));
    EXPECT_NE(metrics.body.find("\npilotledger_log_check_failures_total 1\n"), std::string::npos) << metrics.body;
    ASSERT_EQ(server_->Stop(SIGTERM), 0);
    EXPECT_NE(server_->Log().find("the background check of the stored log failed: " + t.refusal), std::string::npos);
    server_.reset();
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(ledger_.data_dir() + "/db", {}));
    ASSERT_OK_AND_ASSIGN(auto size, store->Get("m/size"));
    EXPECT_EQ(DecodeBigEndian64(*size), 8u) << "nothing was appended";
  }
  std::filesystem::remove_all(ledger_.data_dir());
  std::filesystem::copy(pristine, ledger_.data_dir(), std::filesystem::copy_options::recursive);
  std::filesystem::permissions(LedgerKey(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_TRUE(StartServer());
  EXPECT_EQ(check_result(), "1");
  ASSERT_OK_AND_ASSIGN(client::HttpResult health, server_->Client()->Raw("GET", "/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_TRUE(c_->Append(ledger_.Register({"after", "expert", "", "", ""})).ok());
}

TEST_F(TamperingTest, PilotctlVerifyNamesTheFirstBadSeqOfATamperedServer) {
  Populate();
  for (const char* m : {"miit"}) ASSERT_OK(client::SaveIdentity(ledger_.dir() / (std::string(m) + ".pem"), ledger_.Id(m)));
  // Entry 3's received time moved back to entry 2's (or 1 ms before it): the leaf still parses and
  // replays, so the unverified server serves it; entry 6's moved likewise.
  for (uint64_t seq : {3, 6}) {
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(ledger_.data_dir() + "/db", {}));
    ASSERT_OK_AND_ASSIGN(auto before, store->Get(EntryKey(seq - 1)));
    ASSERT_OK_AND_ASSIGN(auto leaf, store->Get(EntryKey(seq)));
    Json entry = Json::parse(*leaf);
    const std::string previous = Json::parse(*before)["received"];
    ASSERT_OK_AND_ASSIGN(Timestamp t, ParseRfc3339(previous));
    entry["received"] = entry["received"] != previous ? previous : FormatRfc3339Millis(Timestamp{t.ms - 1});
    ledger::WriteBatch batch;
    batch.Put(EntryKey(seq), WriteCanonical(entry));
    ASSERT_OK(store->Write(batch, true));
  }
  // The real server refuses it; the tests' unverified one serves it as stored.
  std::string out;
  ASSERT_EQ(Serve(&out), 1) << out;
  EXPECT_NE(out.find("tree node 0/3 disagrees with the leaves (entry 3)"), std::string::npos) << out;
  server_ = testing::ServerProcess::Start(ledger_.data_dir(), {}, "unverified_pilotledgerd");
  ASSERT_NE(server_, nullptr);
  const std::string key = ledger_.dir() / "miit.pem";
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "--as", key, "verify", "--ledger-key",
                                 ledger_.verifier_key()}, &out), 1) << out;
  EXPECT_NE(out.find("the first that does not belong to it is entry 3 (the 3 before it are proven"), std::string::npos) << out;
  EXPECT_EQ(out.find("entry 6"), std::string::npos) << "names the first bad seq only:\n" << out;
}

}  // namespace
}  // namespace pilotledger
