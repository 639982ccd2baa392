// pilotledgerd rotate-key against the real binaries and RocksDB: the rotation entry signed by both
// keys, the checkpoint under the new key, /v1/ledger-keys, pilotctl verify (fresh and resumed from
// a state file made before the rotation), pilotctl watch resumed across it, the refusal while a
// server holds the ledger, and the crash between the commit and the key file's rename.
#include <sys/stat.h>

#include <cstdlib>
#include <thread>

#include "client/keys.h"
#include "ledger/checkpoint.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

namespace fs = std::filesystem;

class RotateKeyTest : public testing::ServerTest {
 protected:
  RotateKeyTest() : ServerTest(std::vector<std::string>{"--log-requests", "false"}) {}
  void SetUp() override {
    ServerTest::SetUp();
    ASSERT_TRUE(c_->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
    ASSERT_OK(client::SaveIdentity(Key("auditor-1"), ledger_.Id("auditor-1")));
    units_ = testing::TitledUnits(ledger_, *c_, 2);
    ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, units_[0])).ok());  // seq 4
  }
  std::string Key(const std::string& actor) const { return ledger_.dir() / (actor + ".pem"); }
  std::string KeyFile(const std::string& suffix = "") const { return ledger_.data_dir() + "/ledger-key.pem" + suffix; }
  int Ctl(std::vector<std::string> args, std::string* out = nullptr) {
    args.insert(args.begin(), {testing::Bin("pilotctl"), "--server", server_->url()});
    std::string o;
    const int rc = testing::RunCommand(args, &o);
    if (out) *out = o;
    return rc;
  }
  int RotateKey(std::string* out) { return testing::RunCommand({testing::Bin("pilotledgerd"), "rotate-key", "--data", ledger_.data_dir()}, out); }
  // The new verifier key rotate-key printed.
  static std::string NewKeyOf(const std::string& out) {
    const auto at = out.find("new key  ");
    return at == std::string::npos ? "" : out.substr(at + 9, out.find('\n', at) - at - 9);
  }
  bool CheckpointVerifiesWith(const std::string& vkey) {
    Result<std::string> note = c_->SignedCheckpoint();
    Result<note::Verifier> v = note::ParseVerifierKey(vkey);
    return note.ok() && v.ok() && VerifyCheckpoint(*note, *v).ok();
  }
  static unsigned Mode(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? unsigned(st.st_mode & 0777) : 0;
  }
  Json LedgerKeys() {
    Result<Json> j = c_->GetJson("/v1/ledger-keys");
    return j.ok() ? *j : Json();
  }

  std::vector<std::string> units_;
};

TEST_F(RotateKeyTest, AuditorsAndWatchersOfTheOldKeyFollowTheRotation) {
  const std::string old_key = ledger_.verifier_key();
  const std::string verify_state = ledger_.dir() / "verify.state", watch_state = ledger_.dir() / "watch.state";
  const std::string watch_out = ledger_.dir() / "watch.out";
  std::string out;
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", old_key, "--state", verify_state}, &out), 0) << out;
  // The watcher delivers the first revocation under the old key, then stops.
  const auto delivered = [&] { return testing::WatchedUnitIds(watch_out); };
  // Runs the watcher until it delivered `n` revocations (or 10 s passed), then stops it politely.
  const auto watch = [&](size_t n) {
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = open(watch_out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(fd, 1);
      execl(testing::Bin("pilotctl").c_str(), "pilotctl", "--server", server_->url().c_str(), "watch", "--types", "title.revoked",
            "--state", watch_state.c_str(), "--ledger-key", old_key.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100 && delivered().size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  };
  watch(1);
  ASSERT_EQ(delivered(), std::vector<std::string>{units_[0]});

  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_EQ(RotateKey(&out), 0) << out;
  EXPECT_NE(out.find("rotated the ledger key at entry 5"), std::string::npos) << out;
  const std::string new_key = NewKeyOf(out);
  ASSERT_NE(new_key, "");
  ASSERT_NE(new_key, old_key);
  EXPECT_EQ(Mode(KeyFile()), 0600u);
  EXPECT_EQ(Mode(KeyFile(".retired-5")), 0600u);
  EXPECT_FALSE(fs::exists(KeyFile(".new")));

  ASSERT_TRUE(StartServer({"--log-requests", "false"}));
  EXPECT_TRUE(CheckpointVerifiesWith(new_key));
  EXPECT_FALSE(CheckpointVerifiesWith(old_key));
  EXPECT_EQ(*c_->LedgerKey(), new_key);
  EXPECT_EQ(LedgerKeys(), Json::parse(R"({"keys":[{"key":")" + old_key + R"(","from":0},{"key":")" + new_key +
                                      R"(","from":6,"rotated_at":5}]})"));
  Result<Json> rotation = c_->Entry(5);
  ASSERT_TRUE(rotation.ok());
  EXPECT_EQ((*rotation)["event"]["type"], "ledger.key_rotated");
  EXPECT_EQ((*rotation)["event"]["id"], "key-rotation-1");
  EXPECT_EQ((*rotation)["event"]["body"], Json({{"old_key", old_key}, {"new_key", new_key}}));
  EXPECT_EQ((*rotation)["sigs"][0]["signer"], "ledger-key-old");
  EXPECT_EQ((*rotation)["sigs"][1]["signer"], "ledger-key-new");
  ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, units_[1])).ok());  // seq 6, under the new key

  // The resumed auditor and a fresh one both trust only the old key.
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", old_key, "--state", verify_state}, &out), 0) << out;
  EXPECT_NE(out.find("verified test.pilotledger/log: 7 entries (2 new since the remembered checkpoint of 5"), std::string::npos) << out;
  EXPECT_NE(out.find("followed 1 key rotation (each signed by the old and the new key); the checkpoint is signed by " + new_key),
            std::string::npos) << out;
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", old_key}, &out), 0) << out;
  EXPECT_NE(out.find("followed 1 key rotation"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"verify", "--ledger-key", old_key}, &out), 0) << out;
  EXPECT_NE(out.find("after 1 key rotation signed by the old and the new key"), std::string::npos) << out;
  // The independent verifier too.
  EXPECT_EQ(testing::RunCommand({"/usr/bin/python3", std::string(PILOT_SOURCE_DIR) + "/tests/tools/pilot_verify.py", "--url",
                                 server_->url(), "--ledger-key", old_key, "--auth-key", Key("auditor-1"), "--auth-actor", "auditor-1"},
                                &out),
            0) << out;

  // The watcher resumes from its state file, follows the rotation and delivers the next revocation.
  watch(2);
  EXPECT_EQ(delivered(), units_);
  const Json state = Json::parse(testing::ReadFile(watch_state));
  EXPECT_EQ(state["keys"], Json::array({old_key, new_key}));
  EXPECT_EQ(state["next"], 7);
}

TEST_F(RotateKeyTest, RotateKeyIsRefusedWhileTheServerHoldsTheLedger) {
  std::string out;
  EXPECT_EQ(RotateKey(&out), 1);
  EXPECT_NE(out.find("is in use (stop pilotledgerd serve first)"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(KeyFile(".new")));
  EXPECT_TRUE(CheckpointVerifiesWith(ledger_.verifier_key()));
  EXPECT_EQ(LedgerKeys()["keys"].size(), 1u);
}

TEST_F(RotateKeyTest, ARotationInterruptedAfterItsCommitIsFinishedAtTheNextStart) {
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  std::string out;
  ::setenv("PILOTLEDGER_TEST_CRASH_AFTER_ROTATION_APPEND", "1", 1);
  const int rc = RotateKey(&out);
  ::unsetenv("PILOTLEDGER_TEST_CRASH_AFTER_ROTATION_APPEND");
  ASSERT_EQ(rc, 86) << out;
  ASSERT_TRUE(fs::exists(KeyFile(".new")));  // committed, but the key file not yet in place
  EXPECT_FALSE(fs::exists(KeyFile(".retired-5")));

  ASSERT_TRUE(StartServer({"--log-requests", "false"}));
  EXPECT_NE(server_->Log().find("finished the interrupted key rotation at entry 5"), std::string::npos) << server_->Log();
  EXPECT_FALSE(fs::exists(KeyFile(".new")));
  EXPECT_EQ(Mode(KeyFile(".retired-5")), 0600u);
  const Json keys = LedgerKeys()["keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(CheckpointVerifiesWith(keys[1]["key"]));
  EXPECT_FALSE(CheckpointVerifiesWith(ledger_.verifier_key()));
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
  ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, units_[1])).ok());
}

TEST_F(RotateKeyTest, ANewKeyFileWithoutItsCommitIsDiscardedAtTheNextStart) {
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_OK(PrivateKey::Generate()->SavePem(KeyFile(".new")));  // a crash after step 1
  ASSERT_TRUE(StartServer({"--log-requests", "false"}));
  EXPECT_FALSE(fs::exists(KeyFile(".new")));
  EXPECT_TRUE(CheckpointVerifiesWith(ledger_.verifier_key()));
  EXPECT_EQ(LedgerKeys()["keys"].size(), 1u);
}

TEST_F(RotateKeyTest, ASubmittedRotationIsForbidden) {
  const SignedEvent forged = ledger_.Event("key-rotation-1", "ledger.key_rotated",
                                           {{"old_key", ledger_.verifier_key()}, {"new_key", ledger_.verifier_key()}}, {"miit"});
  Result<client::AppendReceipt> r = c_->Append(forged);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_EQ(LedgerKeys()["keys"].size(), 1u);
}

}  // namespace
}  // namespace pilotledger
