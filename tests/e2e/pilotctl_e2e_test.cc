// pilotctl as a process against the real server: the three-ministry signing hand-off, verify
// (honest, wrong key, forked), watch across kills, proof bundles, CSV import, and the first run.
#include <thread>

#include "client/keys.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

class PilotctlTest : public testing::ServerTest {
 protected:
  PilotctlTest() : ServerTest(std::vector<std::string>{"--log-requests", "false"}) {}
  void SetUp() override {
    for (const char* m : {"miit", "mca", "nhc"}) ASSERT_OK(client::SaveIdentity(Key(m), ledger_.Id(m)));
    ServerTest::SetUp();
  }
  std::string Key(const std::string& actor) const { return ledger_.dir() / (actor + ".pem"); }
  // Runs pilotctl against the server; returns its exit status, output in `out`.
  int Ctl(std::vector<std::string> args, std::string* out = nullptr) {
    args.insert(args.begin(), {testing::Bin("pilotctl"), "--server", server_->url()});
    std::string o;
    const int rc = testing::RunCommand(args, &o);
    if (out) *out = o;
    return rc;
  }
};

TEST_F(PilotctlTest, ThreeMinistriesSignOneEventFileInTurnsThenAppendIt) {
  std::string out;
  const std::string file = ledger_.dir() / "open.json";
  ASSERT_EQ(Ctl({"open-campaign", std::string(PILOT_SOURCE_DIR) + "/config/campaigns/2017.json", "--out", file, "--id", "open-2017"}, &out), 0) << out;
  // Unsigned, it cannot be appended; with one or two ministries it is forbidden.
  EXPECT_EQ(Ctl({"append", file}, &out), 1);
  EXPECT_NE(out.find("schema_violation"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"sign", file, "--key", Key("miit")}, &out), 0) << out;
  ASSERT_EQ(Ctl({"sign", file, "--key", Key("mca")}, &out), 0) << out;
  EXPECT_EQ(Ctl({"append", file}, &out), 1);
  EXPECT_NE(out.find("forbidden"), std::string::npos) << out;
  EXPECT_NE(out.find("ministry nhc"), std::string::npos) << out;
  EXPECT_EQ(Ctl({"sign", file, "--key", Key("mca")}, &out), 1) << "a second signature by the same actor";
  ASSERT_EQ(Ctl({"sign", file, "--key", Key("nhc")}, &out), 0) << out;
  ASSERT_EQ(Ctl({"--json", "append", file}, &out), 0) << out;
  EXPECT_EQ(Json::parse(out)["seq"], 1);
  EXPECT_EQ(Json::parse(out)["created"], true);
  ASSERT_EQ(Ctl({"append", file}, &out), 0) << out;
  EXPECT_NE(out.find("already recorded at seq 1"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"campaigns"}, &out), 0) << out;
  EXPECT_NE(out.find("2017年智慧健康养老应用试点示范"), std::string::npos) << out;
}

TEST_F(PilotctlTest, VerifyPassesOnAnHonestLedgerAndFailsOnAWrongKey) {
  auto c = server_->Client();
  ASSERT_TRUE(c->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  ASSERT_OK(client::SaveIdentity(Key("auditor-1"), ledger_.Id("auditor-1")));
  const auto units = testing::TitledUnits(ledger_, *c, 3);
  ASSERT_TRUE(c->Append(testing::Revocation(ledger_, units[0])).ok());
  std::string out;
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
  EXPECT_NE(out.find("verified test.pilotledger/log: 5 entries"), std::string::npos) << out;
  EXPECT_NE(out.find("3 units and 1 campaign's quotas served equal the replay"), std::string::npos) << out;
  const std::string other = note::VerifierKeyString("test.pilotledger/log", PrivateKey::Generate()->public_key());
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", other}, &out), 1);
  EXPECT_NE(out.find("not signed by the trusted ledger key"), std::string::npos) << out;
}

// Two ledgers grown from one copied data directory: a verifier that remembered the first refuses
// the second, although both share the prefix and both are validly signed.
TEST_F(PilotctlTest, VerifyWithStateDetectsAForkThatSharesAPrefix) {
  auto c = server_->Client();
  ASSERT_TRUE(c->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  ASSERT_OK(client::SaveIdentity(Key("auditor-1"), ledger_.Id("auditor-1")));
  testing::TitledUnits(ledger_, *c, 2);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  const std::string fork = ledger_.dir() / "fork";
  std::filesystem::copy(ledger_.data_dir(), fork, std::filesystem::copy_options::recursive);

  ASSERT_TRUE(StartServer({"--log-requests", "false"}));  // the original grows one way
  ASSERT_TRUE(server_->Client()->Append(ledger_.Register({"original-1", "expert", "", "", ""})).ok());
  const std::string state = ledger_.dir() / "verify.state";
  std::string out;
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key(), "--state", state}, &out), 0) << out;
  ASSERT_TRUE(server_->Client()->Append(ledger_.Register({"original-2", "expert", "", "", ""})).ok());
  ASSERT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key(), "--state", state}, &out), 0) << out;
  EXPECT_NE(out.find("1 new since the remembered checkpoint of 5"), std::string::npos) << out;
  EXPECT_EQ(server_->Stop(SIGTERM), 0);

  // The fork grows another way, further; then it is served in place of the original.
  ASSERT_TRUE(StartServerOn(fork, {"--log-requests", "false"}));
  auto f = server_->Client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(f->Append(ledger_.Register({"forked-" + std::to_string(i), "expert", "", "", ""})).ok());
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key(), "--state", state}, &out), 1);
  EXPECT_NE(out.find("rewritten or forked"), std::string::npos) << out;
  // Without the memory, the fork alone verifies: only the remembered checkpoint reveals it.
  EXPECT_EQ(Ctl({"--as", Key("auditor-1"), "verify", "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
}

TEST_F(PilotctlTest, WatchResumesWithoutGapOrRepeatAfterBeingKilled) {
  auto c = server_->Client();
  const auto units = testing::TitledUnits(ledger_, *c, 12);
  const std::string state = ledger_.dir() / "watch.state", out_file = ledger_.dir() / "watch.out";
  const auto start_watch = [&] {
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(fd, 1);
      execl(testing::Bin("pilotctl").c_str(), "pilotctl", "--server", server_->url().c_str(), "watch", "--types", "title.revoked",
            "--state", state.c_str(), "--ledger-key", ledger_.verifier_key().c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  };
  const auto delivered = [&] { return testing::WatchedUnitIds(out_file); };
  const auto wait_for = [&](size_t n) {
    for (int i = 0; i < 100 && delivered().size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return delivered().size();
  };
  pid_t watch = start_watch();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(c->Append(testing::Revocation(ledger_, units[i])).ok());
  ASSERT_EQ(wait_for(4), 4u);
  kill(watch, SIGKILL);
  waitpid(watch, nullptr, 0);
  // While it is down, more revocations.
  for (int i = 4; i < 8; ++i) ASSERT_TRUE(c->Append(testing::Revocation(ledger_, units[i])).ok());
  watch = start_watch();
  ASSERT_EQ(wait_for(8), 8u);
  // A polite stop in the middle of a burst also loses and repeats nothing.
  for (int i = 8; i < 12; ++i) ASSERT_TRUE(c->Append(testing::Revocation(ledger_, units[i])).ok());
  kill(watch, SIGTERM);
  waitpid(watch, nullptr, 0);
  watch = start_watch();
  ASSERT_EQ(wait_for(12), 12u);
  kill(watch, SIGTERM);
  waitpid(watch, nullptr, 0);
  EXPECT_EQ(delivered(), units);
}

TEST_F(PilotctlTest, ProofBundleVerifiesOfflineAndFailsAfterOneByteChanges) {
  auto c = server_->Client();
  const auto units = testing::TitledUnits(ledger_, *c, 2);
  ASSERT_OK_AND_ASSIGN(client::AppendReceipt r, c->Append(testing::Revocation(ledger_, units[1])));
  testing::TitledUnits(ledger_, *c, 2, 10);  // the log grows after it
  const std::string bundle = ledger_.dir() / "bundle.json";
  std::string out;
  ASSERT_EQ(Ctl({"proof", std::to_string(r.seq), "--out", bundle}, &out), 0) << out;
  server_->Stop(SIGKILL);  // offline from here on
  const std::string ctl = testing::Bin("pilotctl");
  ASSERT_EQ(testing::RunCommand({ctl, "verify-bundle", bundle, "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
  EXPECT_NE(out.find("verified: entry " + std::to_string(r.seq) + " (title.revoked"), std::string::npos) << out;
  std::string text = testing::ReadFile(bundle);
  const auto at = text.find("测试撤销");
  ASSERT_NE(at, std::string::npos);
  text[at + 2] ^= 1;  // one byte of the revocation's note
  std::ofstream(bundle, std::ios::trunc) << text;
  EXPECT_EQ(testing::RunCommand({ctl, "verify-bundle", bundle, "--ledger-key", ledger_.verifier_key()}, &out), 1);
  EXPECT_NE(out.find("does NOT verify"), std::string::npos) << out;
}

TEST_F(PilotctlTest, ImportTitlesReportsBadRowsByLineAndImportsNothingUntilFixed) {
  auto c = server_->Client();
  ASSERT_TRUE(c->Append(ledger_.Event("open-2017", "campaign.opened", {{"campaign", "2017"}, {"rules", testing::CampaignRules("2017")}},
                                      testing::kMinistries))
                  .ok());
  const std::string good1 = testing::Uscc("110101", 1), good2 = testing::Uscc("110101", 2, "11");
  std::string wrong = testing::Uscc("110101", 3);
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  const std::string csv = ledger_.dir() / "titles.csv";
  std::ofstream(csv) << "name,credit_code,category,subtype,region,authority\n"
                     << "\"康护科技有限公司, 北京\"," << good1 << ",enterprise,product,110101,110000\n"
                     << "坏的代码," << wrong << ",enterprise,product,110101,110000\n"
                     << "朝阳街道," << good2 << ",street,,110105,110000\n"
                     << "没有子类," << testing::Uscc("110101", 4) << ",enterprise,,110101,110000\n"
                     << "园区," << testing::Uscc("110101", 5) << ",park,,110101,110000\n";
  std::string out;
  const std::vector<std::string> keys = {"--key", Key("miit"), "--key", Key("mca"), "--key", Key("nhc")};
  std::vector<std::string> args = {"import-titles", csv, "--campaign", "2017"};
  args.insert(args.end(), keys.begin(), keys.end());
  EXPECT_EQ(Ctl(args, &out), 1);
  EXPECT_NE(out.find("titles.csv:3: credit code " + wrong + ": check character"), std::string::npos) << out;
  EXPECT_NE(out.find("titles.csv:5: an enterprise needs a subtype"), std::string::npos) << out;
  EXPECT_NE(out.find("nothing imported"), std::string::npos) << out;
  ASSERT_OK_AND_ASSIGN(Json none, c->GetJson("/v1/units"));
  EXPECT_TRUE(none["units"].empty());
  // The server refuses what only it can judge: 2017 had no parks (line 6).
  args.push_back("--skip-bad");
  EXPECT_EQ(Ctl(args, &out), 1);
  EXPECT_NE(out.find("line 6"), std::string::npos) << out;
  EXPECT_NE(out.find("has no category park"), std::string::npos) << out;
  // Fixed, it imports.
  std::ofstream(csv) << "name,credit_code,category,subtype,region,authority\n"
                     << "\"康护科技有限公司, 北京\"," << good1 << ",enterprise,product,110101,110000\n"
                     << "朝阳街道," << good2 << ",street,,110105,110000\n";
  args.pop_back();
  ASSERT_EQ(Ctl(args, &out), 0) << out;
  EXPECT_NE(out.find("imported 2 titles into campaign 2017"), std::string::npos) << out;
  ASSERT_OK_AND_ASSIGN(Json unit, c->GetJson("/v1/units/" + good1));
  EXPECT_EQ(unit["name"], "康护科技有限公司, 北京");
  EXPECT_EQ(unit["status"], "titled");
}

}  // namespace
}  // namespace pilotledger
