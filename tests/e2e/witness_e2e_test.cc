// A ledger with three C2SP tlog-witnesses on loopback ports and a 2-of-3 tlog-policy: cosigned
// checkpoints, the quorum with one witness down and refused with two down, a witness that keeps
// its state across a restart, and a forked ledger (same key, another history) that every witness
// refuses and pilotctl verify --policy names.
#include <algorithm>
#include <filesystem>
#include <functional>

#include "client/keys.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "tests/e2e/server_fixture.h"
#include "tests/e2e/witness_util.h"

namespace pilotledger {
namespace {

size_t Cosignatures(const std::string& note) {
  size_t n = 0;
  for (size_t at = note.find("\n\xE2\x80\x94 "); at != std::string::npos; at = note.find("\n\xE2\x80\x94 ", at + 1)) ++n;
  return n == 0 ? 0 : n - 1;  // the first signature line is the log's
}

class WitnessTest : public testing::ServerTest {
 protected:
  WitnessTest() : ServerTest(std::nullopt) {}
  void SetUp() override {
    ASSERT_EQ(ledger_.init_status(), 0) << ledger_.init_output();
    for (int i = 1; i <= 3; ++i) {
      witnesses_.push_back(std::make_unique<testing::TestWitness>(ledger_.dir() / ("w" + std::to_string(i)), "witness.test/w" + std::to_string(i)));
      ASSERT_EQ(witnesses_.back()->init_status(), 0);
      ASSERT_TRUE(witnesses_.back()->Start(ledger_.verifier_key()));
    }
    std::ofstream(policy_) << testing::PolicyText(ledger_.verifier_key(), {witnesses_[0].get(), witnesses_[1].get(), witnesses_[2].get()}, 2);
    for (const char* m : {"miit", "mca", "nhc"}) ASSERT_OK(client::SaveIdentity(Key(m), ledger_.Id(m)));
    ASSERT_TRUE(StartWitnessed(ledger_.data_dir()));
  }
  [[nodiscard]] ::testing::AssertionResult StartWitnessed(const std::string& data) {
    return StartServerOn(data, {"--log-requests", "false", "--witness-policy", policy_});
  }
  std::string Key(const std::string& actor) const { return ledger_.dir() / (actor + ".pem"); }
  int Ctl(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {testing::Bin("pilotctl"), "--server", server_->url()});
    return testing::RunCommand(args, out);
  }
  // Waits until the published checkpoint covers the whole log (a witnessing round finished on
  // it); returns it.
  std::string Published() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      Result<Json> health = c_->GetJson("/healthz");
      Result<client::HttpResult> metrics = c_->Raw("GET", "/metrics");
      if (health.ok() && metrics.ok() &&
          metrics->body.find("pilotledger_checkpoint_published_size " + std::to_string((*health)["size"].get<uint64_t>()) + "\n") !=
              std::string::npos) {
        Result<std::string> note = c_->SignedCheckpoint();
        return note.ok() ? *note : "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }
  // Waits until the published checkpoint covers the log with `n` cosignatures.
  std::string PublishedWith(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string note;
    while (std::chrono::steady_clock::now() < deadline) {
      note = Published();
      if (Cosignatures(note) == n) return note;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return note;
  }
  void Add(const std::string& actor) {
    Result<client::AppendReceipt> r = c_->Append(ledger_.Register({actor, "expert", "", "", ""}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // POST add-checkpoint to witness `i` directly.
  client::HttpResult Submit(int i, const std::string& body) {
    auto http = client::HttpClient::Create(witnesses_[i]->url());
    Result<client::HttpResult> r = (*http)->Request("POST", "/add-checkpoint", body);
    return r.ok() ? *r : client::HttpResult{};
  }
  uint64_t WitnessSize(int i) {
    const client::HttpResult r = Submit(i, "old 0\n\n" + *c_->SignedCheckpoint());
    return r.status == 409 ? std::stoull(r.body) : 0;
  }

  const std::string policy_ = ledger_.dir() / "policy.txt";
  std::vector<std::unique_ptr<testing::TestWitness>> witnesses_;
};

TEST_F(WitnessTest, TwoOfThreeCosignOneDownIsEnoughTwoDownIsRefusedAndARestartKeepsState) {
  ASSERT_TRUE(c_->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  ASSERT_OK(client::SaveIdentity(Key("auditor-1"), ledger_.Id("auditor-1")));
  Add("expert-1");
  std::string note = PublishedWith(3);
  ASSERT_EQ(Cosignatures(note), 3u) << note;
  std::string out;
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 0) << out;
  EXPECT_NE(out.find("witnesses     the checkpoint carries the quorum"), std::string::npos) << out;
  // The independent check: tiles against the root, cosignatures against the witnesses' keys.
  ASSERT_EQ(testing::RunCommand({"/usr/bin/python3", std::string(PILOT_SOURCE_DIR) + "/tests/tools/tlog_check.py", server_->url(),
                                 "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 0) << out;
  EXPECT_NE(out.find("\"cosigned\": [\"w1\", \"w2\", \"w3\"]"), std::string::npos) << out;
  // /metrics shows what each witness cosigned.
  Result<client::HttpResult> metrics = c_->Raw("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("pilotledger_witness_cosigned_size{witness=\"w1\"} 3"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("pilotledger_checkpoint_quorum 1"), std::string::npos) << metrics->body;

  // One witness stopped: two cosign, the quorum holds, offline proofs carry it.
  witnesses_[2]->Stop();
  Add("expert-2");
  note = PublishedWith(2);
  ASSERT_EQ(Cosignatures(note), 2u) << note;
  ASSERT_EQ(Ctl({"verify", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 0) << out;
  const std::string proof = ledger_.dir() / "proof.tlog";
  ASSERT_EQ(Ctl({"proof", "3", "--out", proof, "--format", "tlog-proof"}, &out), 0) << out;
  EXPECT_EQ(testing::ReadFile(proof).rfind("c2sp.org/tlog-proof@v1\nextra ", 0), 0u);
  ASSERT_EQ(Ctl({"verify-bundle", proof, "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 0) << out;
  EXPECT_NE(out.find("2 valid cosignatures"), std::string::npos) << out;

  // Two stopped: the checkpoint has one cosignature; every client with the policy refuses it.
  witnesses_[1]->Stop();
  Add("expert-3");
  note = PublishedWith(1);
  ASSERT_EQ(Cosignatures(note), 1u) << note;
  EXPECT_EQ(Ctl({"verify", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("checkpoint 5 does not meet the witness quorum \"witnesses\": 1 valid cosignature(s); missing: w2, w3"), std::string::npos) << out;
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("missing: w2, w3"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"proof", "4", "--out", proof, "--format", "tlog-proof"}, &out), 0) << out;
  EXPECT_EQ(Ctl({"verify-bundle", proof, "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("missing: w2, w3"), std::string::npos) << out;
  const std::string json_proof = ledger_.dir() / "proof.json";
  ASSERT_EQ(Ctl({"proof", "4", "--out", json_proof}, &out), 0) << out;
  EXPECT_EQ(Ctl({"verify-bundle", json_proof, "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("missing: w2, w3"), std::string::npos) << out;
  // Without the policy the same checkpoint verifies: only the witnesses were missing.
  EXPECT_EQ(Ctl({"verify-bundle", proof, "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
  EXPECT_EQ(Ctl({"proof", "4", "--out", proof, "--format", "xml"}, &out), 1) << out;

  // A watcher with the policy delivers nothing under the checkpoint without the quorum.
  const std::string watch_out = ledger_.dir() / "watch.out", watch_err = ledger_.dir() / "watch.err";
  int watch_fd = -1;
  const pid_t watch = testing::Spawn({testing::Bin("pilotctl"), "--server", server_->url(), "watch", "--state", ledger_.dir() / "watch.state",
                                      "--ledger-key", ledger_.verifier_key(), "--policy", policy_},
                                     watch_fd, false, -1, watch_err);
  const auto wait_until = [](const std::function<bool()>& done) {
    for (int i = 0; i < 600 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return done();
  };
  std::string delivered;
  const auto read_watch = [&] {
    char buf[4096];
    for (ssize_t n; (n = read(watch_fd, buf, sizeof buf)) > 0;) delivered.append(buf, size_t(n));
  };
  fcntl(watch_fd, F_SETFL, O_NONBLOCK);
  EXPECT_TRUE(wait_until([&] { return testing::ReadFile(watch_err).find("refusing a checkpoint: checkpoint 5 does not meet the witness quorum") != std::string::npos; }))
      << testing::ReadFile(watch_err);
  read_watch();
  EXPECT_EQ(delivered, "");

  // w2 restarted keeps its state (the size it cosigned before it stopped); the ledger catches it
  // up and the quorum is back.
  ASSERT_TRUE(witnesses_[1]->Restart());
  EXPECT_EQ(WitnessSize(1), 4u);
  note = PublishedWith(2);
  ASSERT_EQ(Cosignatures(note), 2u) << note;
  EXPECT_EQ(WitnessSize(1), 5u);
  ASSERT_EQ(Ctl({"verify", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 0) << out;
  // The watcher now gets the next checkpoint with the quorum and delivers all 5 entries.
  EXPECT_TRUE(wait_until([&] {
    read_watch();
    return std::count(delivered.begin(), delivered.end(), '\n') == 5;
  })) << delivered << testing::ReadFile(watch_err);
  kill(watch, SIGTERM);
  waitpid(watch, nullptr, 0);
  close(watch_fd);
}

TEST_F(WitnessTest, WitnessAnswersFollowTheSpec) {
  Add("expert-1");
  const std::string note = PublishedWith(3);
  const std::string bare = note.substr(0, note.find("\n\xE2\x80\x94 ", note.find("\n\n") + 2) + 1);  // the log's signature only
  // Its size is 2: "old 0" is a conflict answered with the witness's size.
  client::HttpResult r = Submit(0, "old 0\n\n" + bare);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, "2\n");
  EXPECT_EQ(r.content_type, "text/x.tlog.size");
  // The same checkpoint again: a fresh cosignature that verifies with the witness's key.
  r = Submit(0, "old 2\n\n" + bare);
  ASSERT_EQ(r.status, 200) << r.body;
  Result<cosig::Cosigner> key = cosig::ParseVerifierKey(witnesses_[0]->vkey());
  ASSERT_TRUE(key.ok());
  std::string name, b64;
  ASSERT_TRUE(cosig::ParseLine(r.body, name, b64));
  EXPECT_EQ(name, "witness.test/w1");
  EXPECT_TRUE(cosig::Verify(*key, bare.substr(0, bare.find("\n\n") + 1), b64).ok());
  // Unknown origin 404; no trusted signature 403; a bad request line 400; an old size above the
  // checkpoint's 400; a size-0 proof that is not empty 422 (after the 409 rule: the witness's size
  // is 2, so we use it).
  EXPECT_EQ(Submit(0, "old 2\n\nother.origin/log\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xE2\x80\x94 other.origin/log AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").status, 404);
  std::string forged = bare;
  forged[forged.find("\n\n") - 3] ^= 1;  // the root changes: the log's signature no longer verifies
  EXPECT_EQ(Submit(0, "old 2\n\n" + forged).status, 403);
  EXPECT_EQ(Submit(0, "new 2\n\n" + bare).status, 400);
  EXPECT_EQ(Submit(0, "old 3\n\n" + bare).status, 400);
  // The monitor retrieval: the last checkpoint it cosigned, with the log's signature and its own.
  auto http = client::HttpClient::Create(witnesses_[0]->url());
  Result<client::HttpResult> seen = (*http)->Request("GET", "/" + HashHex(Sha256("test.pilotledger/log")) + "/checkpoint");
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->status, 200);
  EXPECT_EQ(seen->body.rfind(bare, 0), 0u) << seen->body;
  EXPECT_EQ((*http)->Request("GET", "/" + std::string(64, '0') + "/checkpoint")->status, 404);
  EXPECT_EQ((*http)->Request("GET", "/add-checkpoint")->status, 405);
  // The key file is private, and a witness whose key others can read refuses to start.
  const std::string key_file = ledger_.dir() / "w1/witness-key.pem";
  EXPECT_EQ(std::filesystem::status(key_file).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  witnesses_[0]->Stop();
  std::filesystem::permissions(key_file, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  std::string out;
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "witness", "--data", ledger_.dir() / "w1", "--listen", "127.0.0.1:0", "--log",
                                 ledger_.verifier_key()}, &out), 1);
  EXPECT_NE(out.find("readable by group or others"), std::string::npos) << out;
  // init never overwrites a witness.
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotledgerd"), "witness", "init", "--data", ledger_.dir() / "w1", "--name", "x"}, &out), 1);
}

TEST_F(WitnessTest, AForkedLedgerIsRefusedByEveryWitnessThatSawTheOriginal) {
  ASSERT_TRUE(c_->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  ASSERT_OK(client::SaveIdentity(Key("auditor-1"), ledger_.Id("auditor-1")));
  Add("expert-1");
  ASSERT_EQ(Cosignatures(PublishedWith(3)), 3u);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  const std::string fork = ledger_.dir() / "fork";
  std::filesystem::copy(ledger_.data_dir(), fork, std::filesystem::copy_options::recursive);

  // The original grows to 5 entries, witnessed by all three.
  ASSERT_TRUE(StartWitnessed(ledger_.data_dir()));
  Add("original-1");
  Add("original-2");
  ASSERT_EQ(Cosignatures(PublishedWith(3)), 3u);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);

  // The fork (same key) grows another way after seq 2, further, and submits to the same witnesses.
  ASSERT_TRUE(StartWitnessed(fork));
  for (int i = 0; i < 4; ++i) Add("forked-" + std::to_string(i));
  const std::string note = Published();
  ASSERT_EQ(Cosignatures(note), 0u) << note;
  // Every witness refused it: 409 (its size is the original's 5) and then 422 (no consistency).
  const std::string log = server_->Log();
  for (const char* w : {"w1", "w2", "w3"}) {
    EXPECT_NE(log.find(std::string("witness ") + w + " did not cosign checkpoint 7: HTTP 422"), std::string::npos) << log;
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(WitnessSize(i), 5u);
  std::string out;
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("missing: w1, w2, w3"), std::string::npos) << out;
  EXPECT_NE(out.find("FORK: witness w1 cosigned checkpoint 5"), std::string::npos) << out;
  EXPECT_NE(out.find("this ledger's checkpoint 7 is not consistent with it"), std::string::npos) << out;
  // The tiles reader is refused the same way.
  EXPECT_EQ(Ctl({"verify", "--tiles", "--ledger-key", ledger_.verifier_key(), "--policy", policy_}, &out), 1) << out;
  EXPECT_NE(out.find("FORK: witness w3 cosigned checkpoint 5"), std::string::npos) << out;
  // Without the policy, the fork alone verifies: the witnesses are what reveal it.
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
}

}  // namespace
}  // namespace pilotledger
