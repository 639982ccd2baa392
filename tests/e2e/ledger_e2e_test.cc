// End to end: the real pilotledgerd on a loopback port, RocksDB in a temporary directory, real
// HTTP from many connections, and verification with the test's own code and the independent
// Python verifier.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "projections/snapshot.h"
#include "tests/e2e/appender.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

using testing::ConcurrentAppender;
using testing::ServerProcess;
using testing::Registrations;
using testing::Work;
using testing::TestLedger;

// Each test starts (and restarts) the server on the fixture's ledger itself.
class LedgerE2ETest : public testing::ServerTest {
 protected:
  LedgerE2ETest() : ServerTest(std::nullopt) {}
};

// Checks the whole served log with this test's own code: every entry canonical and at its seq,
// every signature valid under the key its actor registered, the tree root equal to the signed
// checkpoint's, and inclusion and consistency proofs that verify.
void VerifyServedLog(client::LedgerClient& c, const std::string& verifier_key, uint64_t min_size) {
  ASSERT_OK_AND_ASSIGN(note::Verifier verifier, note::ParseVerifierKey(verifier_key));
  ASSERT_OK_AND_ASSIGN(std::string key, c.LedgerKey());
  ASSERT_EQ(key, verifier_key);
  ASSERT_OK_AND_ASSIGN(std::string signed_cp, c.SignedCheckpoint());
  ASSERT_OK_AND_ASSIGN(Checkpoint cp, VerifyCheckpoint(signed_cp, verifier));
  ASSERT_GE(cp.size, min_size);

  std::vector<Hash> leaves;
  std::map<std::string, PublicKey> keys;
  while (leaves.size() < cp.size) {
    ASSERT_OK_AND_ASSIGN(Json page, c.Entries(leaves.size(), 1000));
    ASSERT_EQ(page["next"], leaves.size() + page["entries"].size());
    for (const Json& e : page["entries"]) {
      if (leaves.size() == cp.size) break;
      const std::string leaf = WriteCanonical(e);
      ASSERT_OK_AND_ASSIGN(Entry entry, ParseEntryLeaf(leaf));
      ASSERT_EQ(entry.seq, leaves.size());
      if (entry.seq == 0) {
        ASSERT_EQ(entry.type(), "ledger.genesis");
        ASSERT_EQ(entry.body()["ledger_key"], verifier_key);
        for (const Json& a : entry.body()["authorities"]) keys.emplace(a["actor"], *PublicKey::FromBase64(a["public_key"].get<std::string>()));
      } else {
        ASSERT_FALSE(entry.signed_event.sigs.empty());
        for (const Signature& s : entry.signed_event.sigs) {
          ASSERT_TRUE(keys.count(s.signer)) << "seq " << entry.seq << " signer " << s.signer;
          ASSERT_TRUE(keys.at(s.signer).Verify(SigningInput(entry.signed_event.canonical), s.sig)) << "seq " << entry.seq;
        }
        if (entry.type() == "actor.registered") {
          keys.emplace(entry.body()["actor"], *PublicKey::FromBase64(entry.body()["public_key"].get<std::string>()));
        }
      }
      leaves.push_back(merkle::HashLeaf(leaf));
    }
  }
  merkle::CompactRange range;
  std::vector<Hash> roots = {merkle::EmptyRoot()};
  for (const Hash& h : leaves) {
    range.Append(h, [](merkle::NodeId, const Hash&) {});
    roots.push_back(range.Root());
  }
  ASSERT_EQ(range.Root(), cp.root) << "the served leaves do not hash to the signed checkpoint";
  for (uint64_t i = 0; i < cp.size; i += std::max<uint64_t>(1, cp.size / 97)) {
    ASSERT_OK_AND_ASSIGN(auto proof, c.InclusionProof(i, cp.size));
    ASSERT_OK(merkle::VerifyInclusion(i, cp.size, leaves[i], proof, cp.root));
  }
  for (uint64_t from : {uint64_t{1}, cp.size / 3, cp.size / 2 + 1, cp.size - 1, cp.size}) {
    if (from == 0 || from > cp.size) continue;
    ASSERT_OK_AND_ASSIGN(auto proof, c.ConsistencyProof(from, cp.size));
    ASSERT_OK(merkle::VerifyConsistency(from, cp.size, proof, roots[from], cp.root)) << from;
  }
}

void RunPythonVerifier(const std::string& url, const std::string& verifier_key) {
  std::string out;
  const int rc = testing::RunCommand({"/usr/bin/python3", std::string(PILOT_SOURCE_DIR) + "/tests/tools/pilot_verify.py", "--url", url,
                                      "--ledger-key", verifier_key},
                                     &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"ok\":true"), std::string::npos) << out;
}


TEST_F(LedgerE2ETest, InitPrintsTheVerifierKeyAndNeverOverwrites) {
  ASSERT_EQ(ledger_.init_status(), 0) << ledger_.init_output();
  ASSERT_OK_AND_ASSIGN(note::Verifier v, note::ParseVerifierKey(ledger_.verifier_key()));
  EXPECT_EQ(v.name, "test.pilotledger/log");
  std::string out;
  const int rc = testing::RunCommand({testing::Bin("pilotledgerd"), "init", "--data", ledger_.data_dir(), "--origin", "x.test/log",
                                      "--authorities", ledger_.dir() / "authorities.json"},
                                     &out);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("already holds a ledger"), std::string::npos) << out;
}

TEST_F(LedgerE2ETest, InitRefusesBadAuthorities) {
  testing::TempDir dir;
  std::ofstream(dir / "bad.json") << R"([{"actor":"m","role":"ministry","department":"space","name":"x","public_key":"AAAA"}])";
  std::string out;
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "init", "--data", dir / "data", "--origin", "x.test/log",
                                 "--authorities", dir / "bad.json"},
                                &out),
            1);
  EXPECT_NE(out.find("invalid genesis"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir / "data/db"));
}

TEST_F(LedgerE2ETest, ConcurrentAppendsFromManyConnectionsAllVerify) {
  ASSERT_EQ(ledger_.init_status(), 0) << ledger_.init_output();
  ASSERT_TRUE(StartServer());
  constexpr int kThreads = 16, kPerThread = 40;
  ConcurrentAppender appender(*server_, Work(ledger_, "x", kThreads, kPerThread));
  appender.Join();
  for (const std::string& refusal : appender.first_refusal) EXPECT_EQ(refusal, "");
  EXPECT_EQ(appender.twice, 0) << "a seq was acknowledged twice";
  const std::map<uint64_t, Hash>& acked = appender.acked;
  ASSERT_EQ(acked.size(), size_t(kThreads * kPerThread));
  EXPECT_EQ(acked.begin()->first, 1u);
  EXPECT_EQ(acked.rbegin()->first, uint64_t(kThreads * kPerThread));

  auto c = server_->Client();
  for (const auto& [seq, hash] : acked) {
    if (seq % 37 != 0) continue;
    ASSERT_OK_AND_ASSIGN(Json entry, c->Entry(seq));
    EXPECT_EQ(merkle::HashLeaf(WriteCanonical(entry)), hash);
  }
  VerifyServedLog(*c, ledger_.verifier_key(), kThreads * kPerThread + 1);
  RunPythonVerifier(server_->url(), ledger_.verifier_key());
}

TEST_F(LedgerE2ETest, RepeatIsIdempotentAndAReusedIdIsRefused) {
  ASSERT_TRUE(StartServer());
  auto c = server_->Client();
  const SignedEvent e = ledger_.Register({"auditor-1", "auditor", "", "", ""});
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt first, c->Append(e));
  EXPECT_TRUE(first.created);
  // The same event, sent with other formatting, is the same event.
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt again, c->AppendRaw(SubmissionJson(e).dump(2)));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.seq, first.seq);
  EXPECT_EQ(again.leaf_hash, first.leaf_hash);
  EXPECT_EQ(again.received, first.received);
  const SignedEvent other = ledger_.Register({"auditor-2", "auditor", "", "", ""}, /*id=*/"reg-auditor-1");
  EXPECT_EQ(c->Append(other).status().code(), Code::kDuplicateId);
  ASSERT_OK_AND_ASSIGN(Json page, c->Entries(0, 10));
  EXPECT_EQ(page["entries"].size(), 2u);
}

TEST_F(LedgerE2ETest, BadAppendsGetTheirProtocolErrorAndChangeNothing) {
  ASSERT_TRUE(StartServer());
  auto c = server_->Client();
  const std::string checkpoint = *c->SignedCheckpoint();

  const auto post = [&](const std::string& body) { return c->AppendRaw(body).status(); };
  EXPECT_EQ(post("{\"event\":").code(), Code::kMalformedJson);
  EXPECT_EQ(post("{\"event\":{},\"sigs\":[],\"x\":1}").code(), Code::kSchemaViolation);
  SignedEvent unsigned_event = ledger_.Register({"e1", "expert", "", "", ""});
  unsigned_event.sigs.clear();
  const Status no_sigs = post(WriteCanonical(SubmissionJson(unsigned_event)));
  EXPECT_EQ(no_sigs.code(), Code::kSchemaViolation);
  EXPECT_EQ(no_sigs.details()["field"], "sigs");

  SignedEvent forged = ledger_.Register({"e2", "expert", "", "", ""});
  forged.sigs[0].sig[10] ^= 1;
  EXPECT_EQ(c->Append(forged).status().code(), Code::kBadSignature);

  SignedEvent stranger = ledger_.Register({"e3", "expert", "", "", ""});
  stranger.sigs[0].signer = "nobody";
  EXPECT_EQ(c->Append(stranger).status().code(), Code::kUnknownSigner);

  // One ministry may register actors, but a campaign needs all three.
  const Json rules = {{"campaign", "c1"}, {"historical", true}, {"categories", {"enterprise"}}};
  const Status one_ministry = c->Append(ledger_.Event("open-1", "campaign.opened", {{"campaign", "c1"}, {"rules", rules}}, {"miit"})).status();
  EXPECT_EQ(one_ministry.code(), Code::kForbidden);
  EXPECT_NE(one_ministry.message().find("ministry mca"), std::string::npos) << one_ministry.message();

  SignedEvent small_key = ledger_.Event("reg-bad", "actor.registered",
                                       {{"actor", "bad"}, {"role", "expert"}, {"name", "x"},
                                        {"public_key", Base64Encode(std::string("\x01") + std::string(31, '\0'))}},
                                       {"miit"});
  const Status small = c->Append(small_key).status();
  EXPECT_EQ(small.code(), Code::kSchemaViolation);
  EXPECT_EQ(small.details()["field"], "public_key");

  ASSERT_OK_AND_ASSIGN(client::HttpResult big, c->Raw("POST", "/v1/entries", std::string(2 << 20, ' ')));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(client::StatusFromError(big).code(), Code::kPayloadTooLarge);

  EXPECT_EQ(*c->SignedCheckpoint(), checkpoint);
  ASSERT_OK_AND_ASSIGN(Json page, c->Entries(0, 10));
  EXPECT_EQ(page["entries"].size(), 1u);
}

TEST_F(LedgerE2ETest, ReadEndpointsAnswerErrorsWithProtocolCodes) {
  ASSERT_TRUE(StartServer());
  auto c = server_->Client();
  const auto code = [&](const std::string& target) {
    Result<client::HttpResult> r = c->Raw("GET", target);
    return std::make_pair(r->status, client::StatusFromError(*r).code());
  };
  EXPECT_EQ(code("/v1/entries/1"), std::make_pair(404, Code::kNotFound));
  EXPECT_EQ(code("/v1/entries/01"), std::make_pair(400, Code::kInvalidArgument));
  EXPECT_EQ(code("/v1/entries?limit=1001"), std::make_pair(400, Code::kInvalidArgument));
  EXPECT_EQ(code("/v1/entries?from=-1"), std::make_pair(400, Code::kInvalidArgument));
  EXPECT_EQ(code("/v1/proofs/inclusion?index=1&size=1"), std::make_pair(400, Code::kInvalidArgument));
  EXPECT_EQ(code("/v1/proofs/inclusion?index=0&size=2"), std::make_pair(400, Code::kInvalidArgument));
  EXPECT_EQ(code("/v1/proofs/consistency?from=2&to=1"), std::make_pair(400, Code::kInvalidArgument));
  EXPECT_EQ(code("/v1/nothing"), std::make_pair(404, Code::kNotFound));
  ASSERT_OK_AND_ASSIGN(client::HttpResult put, c->Raw("PUT", "/v1/checkpoint"));
  EXPECT_EQ(put.status, 405);
  ASSERT_OK_AND_ASSIGN(client::HttpResult health, c->Raw("GET", "/healthz"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"size":1,"status":"ok"})");
  ASSERT_OK_AND_ASSIGN(client::HttpResult key, c->Raw("GET", "/v1/ledger-key"));
  EXPECT_EQ(key.body, ledger_.verifier_key() + "\n");
  EXPECT_EQ(key.content_type, "text/plain; charset=utf-8");
}

TEST_F(LedgerE2ETest, LogsOneJsonLinePerRequestAndCountsInMetrics) {
  ASSERT_TRUE(StartServer());
  auto c = server_->Client();
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt r, c->Append(ledger_.Register({"e1", "expert", "", "", ""})));
  EXPECT_EQ(c->AppendRaw("{").status().code(), Code::kMalformedJson);
  ASSERT_TRUE(c->Raw("GET", "/v1/entries/0").ok());
  ASSERT_OK_AND_ASSIGN(client::HttpResult metrics, c->Raw("GET", "/metrics"));
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line : {"pilotledger_appends_total{result=\"created\"} 1\n", "pilotledger_append_rejections_total{code=\"malformed_json\"} 1\n",
                           "pilotledger_log_size 2\n", "pilotledger_watchers 0\n", "pilotledger_append_duration_seconds_count 2\n",
                           "pilotledger_rocksdb_sync_duration_seconds_count 1\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << " not in\n" << metrics.body;
  }
  std::vector<Json> lines;
  std::istringstream log(server_->Log());
  for (std::string line; std::getline(log, line);) {
    if (!line.empty() && line[0] == '{') lines.push_back(Json::parse(line));
  }
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0]["method"], "POST");
  EXPECT_EQ(lines[0]["target"], "/v1/entries");
  EXPECT_EQ(lines[0]["status"], 201);
  EXPECT_EQ(lines[0]["seq"], r.seq);
  EXPECT_TRUE(lines[0]["duration_us"].is_number_integer());
  EXPECT_TRUE(lines[0]["time"].is_string());
  EXPECT_EQ(lines[1]["status"], 400);
  EXPECT_FALSE(lines[1].contains("seq"));
  EXPECT_EQ(lines[2]["target"], "/v1/entries/0");
}

// SIGKILL while many clients append; after a restart every acknowledged entry is at its seq with
// its leaf hash, the log verifies, and seqs continue without a gap.
TEST_F(LedgerE2ETest, KillDuringConcurrentAppendsLosesNoAcknowledgedEntry) {
  ASSERT_TRUE(StartServer());
  ConcurrentAppender appender(*server_, Work(ledger_, "k", 8, 400));
  appender.WaitFor(300);
  server_->Stop(SIGKILL);
  appender.Join();
  const std::map<uint64_t, Hash>& acked = appender.acked;
  ASSERT_GE(acked.size(), 300u);

  ASSERT_TRUE(StartServer());
  auto c = server_->Client();
  ASSERT_OK_AND_ASSIGN(std::string cp, c->SignedCheckpoint());
  ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, VerifyCheckpoint(cp, *note::ParseVerifierKey(ledger_.verifier_key())));
  EXPECT_GT(checkpoint.size, acked.rbegin()->first);
  for (const auto& [seq, hash] : acked) {
    ASSERT_OK_AND_ASSIGN(Json entry, c->Entry(seq));
    ASSERT_EQ(merkle::HashLeaf(WriteCanonical(entry)), hash) << "acknowledged entry " << seq << " changed";
  }
  // Appending continues at the next seq.
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt next, c->Append(ledger_.Register({"after-crash", "expert", "", "", ""})));
  EXPECT_EQ(next.seq, checkpoint.size);
  VerifyServedLog(*c, ledger_.verifier_key(), checkpoint.size + 1);
  RunPythonVerifier(server_->url(), ledger_.verifier_key());
}

// SIGTERM finishes the appends in flight: each gets its answer, and all answered ones persist.
TEST_F(LedgerE2ETest, SigtermAnswersInFlightAppendsAndExitsCleanly) {
  ASSERT_TRUE(StartServer());
  ConcurrentAppender appender(*server_, Work(ledger_, "s", 8, 300));
  appender.WaitFor(200);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  appender.Join();
  // Every request in flight got an answer from the server, not a dropped connection.
  for (const std::string& refusal : appender.first_refusal) {
    if (refusal.empty()) continue;
    EXPECT_TRUE(refusal.find("shutting down") != std::string::npos || refusal.find("not accepting") != std::string::npos ||
                refusal.find("cannot connect") != std::string::npos)
        << refusal;
  }
  const std::map<uint64_t, Hash>& acked = appender.acked;
  ASSERT_TRUE(StartServer());
  auto c = server_->Client();
  for (const auto& [seq, hash] : acked) {
    ASSERT_OK_AND_ASSIGN(Json entry, c->Entry(seq));
    ASSERT_EQ(merkle::HashLeaf(WriteCanonical(entry)), hash);
  }
}

// A supervisor may stop the server the moment it reports "listening". SIGTERM is caught from
// then on (it used to be only once the I/O threads ran, and one that came between was fatal: no
// clean stop, no snapshot), so every such stop is clean: exit 0, "stopped at", and the snapshot a
// clean stop writes, from which the next start resumes.
TEST_F(LedgerE2ETest, SigtermRightAfterListeningStopsCleanlyAndWritesTheSnapshot) {
  ASSERT_EQ(ledger_.init_status(), 0) << ledger_.init_output();
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE("start " + std::to_string(i));
    std::unique_ptr<testing::ServerProcess> server = testing::ServerProcess::Start(ledger_.data_dir());
    ASSERT_NE(server, nullptr);
    ASSERT_EQ(server->Stop(SIGTERM), 0) << server->Log();
    EXPECT_NE(server->Output().find("pilotledgerd: stopped at 1 entries"), std::string::npos) << server->Output();
    if (i > 0) {
      EXPECT_NE(server->Log().find("pilotledgerd: resuming from the projection snapshot of 1 entries"), std::string::npos)
          << server->Log();
    }
  }
}

}  // namespace
}  // namespace pilotledger

namespace pilotledger {
namespace {

// A flipped byte in a stored entry: the server refuses to serve, naming the entry.
TEST_F(LedgerE2ETest, ServeRefusesATamperedLogWithAClearMessage) {
  {
    ASSERT_TRUE(StartServer());
    auto c = server_->Client();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(c->Append(ledger_.Register({"t" + std::to_string(i), "expert", "", "", ""})).ok());
    EXPECT_EQ(server_->Stop(SIGTERM), 0);
  }
  {
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(ledger_.data_dir() + "/db", {}));
    const std::string key = std::string("e") + EncodeBigEndian64(3);
    ASSERT_OK_AND_ASSIGN(auto leaf, store->Get(key));
    ASSERT_TRUE(leaf.has_value());
    std::string tampered = *leaf;
    tampered[tampered.find("(test)") + 1] = 'T';
    ledger::WriteBatch batch;
    batch.Put(key, tampered);
    ASSERT_OK(store->Write(batch, true));
  }
  // The full check before serving finds it (the default start finds it in the background:
  // TamperingTest.TheBackgroundCheckStopsAppendsAndHealthzNamesWhatItFound).
  std::string out;
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "serve", "--data", ledger_.data_dir(), "--listen", "127.0.0.1:0",
                                 "--verify-on-start", "full"},
                                &out),
            1);
  EXPECT_NE(out.find("refusing to serve: data_loss"), std::string::npos) << out;
  EXPECT_NE(out.find("entry 3"), std::string::npos) << out;
}

}  // namespace
}  // namespace pilotledger

namespace pilotledger {
namespace {

// Snapshots: written as the log grows and on a clean stop; a restart from one serves the same
// answers; `pilotledgerd rebuild` confirms a faithful snapshot and names the first difference of a
// doctored one.
TEST_F(LedgerE2ETest, SnapshotsResumeTheProjectionsAndRebuildChecksThem) {
  Json before;
  {
    ASSERT_TRUE(StartServer({"--snapshot-interval", "5"}));
    auto c = server_->Client();
    const auto units = testing::TitledUnits(ledger_, *c, 6);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->Append(testing::Revocation(ledger_, units[i])).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(c->Append(ledger_.Register({"snap" + std::to_string(i), "expert", "", "", ""})).ok());
    ASSERT_OK_AND_ASSIGN(before, c->GetJson("/v1/units?limit=1000"));
    EXPECT_EQ(server_->Stop(SIGTERM), 0);
  }
  std::string out;
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "rebuild", "--data", ledger_.data_dir()}, &out), 0) << out;
  EXPECT_NE(out.find("the stored snapshot (11 entries) equals a replay from genesis"), std::string::npos) << out;
  {
    ASSERT_TRUE(StartServer());
    ASSERT_OK_AND_ASSIGN(Json after, server_->Client()->GetJson("/v1/units?limit=1000"));
    EXPECT_EQ(after, before);
    server_.reset();  // killed before the store is opened behind its back
  }
  {
    // Doctor the snapshot: a revoked title made active again.
    ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(ledger_.data_dir() + "/db", {}));
    ASSERT_OK_AND_ASSIGN(auto bytes, store->Get("x/snapshot"));
    ASSERT_TRUE(bytes.has_value());
    ASSERT_OK_AND_ASSIGN(projections::State snapshot, projections::StateFromBinary(*bytes));
    std::string doctored;
    for (const auto& [id, u] : snapshot.units) {
      const auto t = u.titles.find("2017");
      if (t != u.titles.end() && t->second.revoked_seq) {
        doctored = id;
        break;
      }
    }
    ASSERT_FALSE(doctored.empty());
    snapshot.units[doctored].titles["2017"].revoked_seq.reset();
    ledger::WriteBatch batch;
    batch.Put("x/snapshot", projections::StateToBinary(snapshot));
    ASSERT_OK(store->Write(batch, true));
  }
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "rebuild", "--data", ledger_.data_dir()}, &out), 1) << out;
  EXPECT_NE(out.find("differs from a replay from genesis, first at units[0].titles.2017"), std::string::npos) << out;
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "rebuild", "--data", ledger_.data_dir(), "--write"}, &out), 1) << out;
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "rebuild", "--data", ledger_.data_dir()}, &out), 0) << out;
}

// The server's threads carry the names docs/operations.md gives (`top -H`, `perf report --sort
// comm` rely on them): with --threads 3, two pl-io besides the main thread, one pl-sequencer, a
// pl-verify per core, one pl-snapshot; the pl-replay parsers are gone once it serves. (The main
// thread and a few threads of the libraries, Asio's and RocksDB's timer, keep the process name.)
TEST_F(LedgerE2ETest, TheServersThreadsCarryTheirNames) {
  ASSERT_TRUE(StartServer({"--threads", "3"}));
  const int verifiers = int(std::max(1u, std::thread::hardware_concurrency()));
  std::map<std::string, int> names;
  const auto count = [&](const std::string& n) { return names.count(n) ? names.at(n) : 0; };
  // A thread names itself once it runs, which can be just after the server says it listens.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    names.clear();
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(server_->pid()) + "/task")) {
      std::string name = testing::ReadFile((task.path() / "comm").string());
      while (!name.empty() && name.back() == '\n') name.pop_back();
      ++names[name];
    }
    // Wait for every name checked below (under ASan the sequencer's and the snapshot's threads
    // were seen unnamed once the I/O and verification threads were named).
    if (count("pl-io") == 2 && count("pl-verify") == verifiers && count("pl-sequencer") == 1 && count("pl-snapshot") == 1 &&
        count("pl-log-check") == 0 && count("pl-replay") == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  std::string all;
  for (const auto& [n, k] : names) all += n + " x" + std::to_string(k) + "; ";
  EXPECT_GE(count("pilotledgerd"), 1) << all;
  EXPECT_EQ(count("pl-io"), 2) << all;
  EXPECT_EQ(count("pl-sequencer"), 1) << all;
  EXPECT_EQ(count("pl-verify"), verifiers) << all;
  EXPECT_EQ(count("pl-snapshot"), 1) << all;
  EXPECT_EQ(count("pl-replay"), 0) << all;
}

}  // namespace
}  // namespace pilotledger
