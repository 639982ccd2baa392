// A newcomer's first hour (issue 15), against the real server: query parameters and unit filters
// that refuse what they do not know, the name search, pilotctl's output and errors (global options
// anywhere, decisions in status, quotas explained, entries --types, key errors that say what is
// wrong, watch progress), and on the sample ./run loads: the public verify mode, the review cap
// explanation and proof bundles that check signatures.
#include <thread>

#include "client/keys.h"
#include "tests/e2e/e2e_util.h"

namespace pilotledger {
namespace {

using testing::ServerProcess;
using testing::TestLedger;

// {HTTP status, body} of a GET.
std::pair<int, Json> Get(client::LedgerClient& c, const std::string& target) {
  Result<client::HttpResult> r = c.Raw("GET", target);
  if (!r.ok()) return {0, Json()};
  return {r->status, Json::parse(r->body, nullptr, false)};
}

Json BadRequest(const std::string& message, const Json& details) {
  return {{"error", {{"code", "bad_request"}, {"details", details}, {"message", message}}}};
}

class NewcomerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* m : {"miit", "mca", "nhc"}) ASSERT_OK(client::SaveIdentity(Key(m), ledger_.Id(m)));
    server_ = ServerProcess::Start(ledger_.data_dir(), {"--log-requests", "false"});
    ASSERT_NE(server_, nullptr);
    c_ = server_->Client();
  }
  std::string Key(const std::string& actor) const { return ledger_.dir() / (actor + ".pem"); }
  // Runs pilotctl with `args` as given (add --server yourself, or rely on $PILOTCTL_SERVER).
  int Run(const std::vector<std::string>& args, std::string* out) {
    std::vector<std::string> argv = {testing::Bin("pilotctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv, out);
  }
  // Runs pilotctl against the server, --server first.
  int Ctl(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {"--server", server_->url()});
    return Run(args, out);
  }
  uint64_t Size() { return c_->GetJson("/healthz")->at("size").get<uint64_t>(); }

  TestLedger ledger_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<client::LedgerClient> c_;
};

TEST_F(NewcomerTest, UnitsRefuseUnknownParametersAndInvalidFilterValues) {
  testing::TitledUnits(ledger_, *c_, 2);
  const uint64_t size = Size();
  const Json units_params = {"authority", "region", "status", "campaign", "category", "name", "limit", "cursor"};
  EXPECT_EQ(Get(*c_, "/v1/units?q=x"),
            std::make_pair(400, BadRequest("unknown query parameter \"q\" on /v1/units: it takes authority, region, status, campaign, "
                                           "category, name, limit, cursor",
                                           {{"parameter", "q"}, {"allowed", units_params}})));
  EXPECT_EQ(Get(*c_, "/v1/units?status=bogus"),
            std::make_pair(400, BadRequest("invalid status \"bogus\": use one of titled, revoked, submitted, recommended, published, rejected",
                                           {{"parameter", "status"},
                                            {"allowed", {"titled", "revoked", "submitted", "recommended", "published", "rejected"}}})));
  EXPECT_EQ(Get(*c_, "/v1/units?category=enterprises"),
            std::make_pair(400, BadRequest("invalid category \"enterprises\": use one of enterprise, park, street, base",
                                           {{"parameter", "category"}, {"allowed", {"enterprise", "park", "street", "base"}}})));
  EXPECT_EQ(Get(*c_, "/v1/units?campaign=nosuch"),
            std::make_pair(400, BadRequest("invalid campaign \"nosuch\": use one of 2017",
                                           {{"parameter", "campaign"}, {"allowed", {"2017"}}})));
  // Valid values still answer, and an empty value is no filter.
  EXPECT_EQ(Get(*c_, "/v1/units?status=titled&campaign=2017&category=enterprise").second["units"].size(), 2u);
  EXPECT_EQ(Get(*c_, "/v1/units?status=").second["units"].size(), 2u);
  EXPECT_EQ(Get(*c_, "/v1/units?status=revoked").second["units"].size(), 0u);
  EXPECT_EQ(Size(), size) << "a refused read changes nothing";
}

TEST_F(NewcomerTest, EveryEndpointRefusesUnknownQueryParameters) {
  testing::TitledUnits(ledger_, *c_, 1);
  const auto refused = [&](const std::string& target, const std::string& path, const std::string& takes, const std::string& param,
                           const Json& allowed) {
    EXPECT_EQ(Get(*c_, target), std::make_pair(400, BadRequest("unknown query parameter \"" + param + "\" on " + path + ": " + takes,
                                                               {{"parameter", param}, {"allowed", allowed}})))
        << target;
  };
  refused("/v1/entries?from=0&count=5", "/v1/entries", "it takes from, limit", "count", {"from", "limit"});
  refused("/v1/proofs/inclusion?index=0&size=2&leaf=1", "/v1/proofs/inclusion", "it takes index, size", "leaf", {"index", "size"});
  refused("/v1/proofs/consistency?from=1&to=2&x=", "/v1/proofs/consistency", "it takes from, to", "x", {"from", "to"});
  refused("/v1/checkpoint?verbose=1", "/v1/checkpoint", "it takes no query parameters", "verbose", Json::array());
  refused("/v1/campaigns/2017/quotas?authority=110000", "/v1/campaigns/2017/quotas", "it takes no query parameters", "authority",
          Json::array());
  refused("/v1/units/" + testing::Uscc("110101", 1) + "?full=1", "/v1/units/" + testing::Uscc("110101", 1), "it takes no query parameters", "full",
          Json::array());
  refused("/healthz?x=1", "/healthz", "it takes no query parameters", "x", Json::array());
  // The known ones still work.
  EXPECT_EQ(Get(*c_, "/v1/entries?from=1&limit=1").first, 200);
  EXPECT_EQ(Get(*c_, "/v1/proofs/inclusion?index=0&size=2").first, 200);
  // The stream refuses before the upgrade.
  Result<std::unique_ptr<client::WebSocket>> ws = c_->OpenStream("/v1/stream?from=0&type=title.revoked");
  ASSERT_FALSE(ws.ok());
  EXPECT_NE(ws.status().message().find("HTTP 400: {\"error\":{\"code\":\"bad_request\",\"details\":{\"allowed\":[\"from\",\"types\"],"
                                       "\"parameter\":\"type\"},\"message\":\"unknown query parameter \\\"type\\\" on /v1/stream: it "
                                       "takes from, types\"}}"),
            std::string::npos)
      << ws.status().ToString();
  ASSERT_TRUE(c_->OpenStream("/v1/stream?from=0&types=title.revoked").ok());
}

TEST_F(NewcomerTest, UnitsAreFoundByAPartOfTheirChineseName) {
  const auto ids = testing::TitledUnits(ledger_, *c_, 12);  // 测试企业1 … 测试企业12
  const auto names = [&](const std::string& target) {
    std::vector<std::string> out;
    Result<Json> page = c_->GetJson(target);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return out;
    for (const Json& u : (*page)["units"]) out.push_back(u["name"]);
    return out;
  };
  // 企业1 is part of 测试企业1, 测试企业10, 测试企业11 and 测试企业12 (percent-encoded on the wire).
  EXPECT_EQ(names("/v1/units?name=%E4%BC%81%E4%B8%9A1"), (std::vector<std::string>{"测试企业1", "测试企业10", "测试企业11", "测试企业12"}));
  EXPECT_EQ(names("/v1/units?name=%E4%BC%81%E4%B8%9A12").size(), 1u);
  EXPECT_EQ(names("/v1/units?name=%E6%B5%8B%E8%AF%95").size(), 12u);                     // 测试
  EXPECT_EQ(names("/v1/units?name=%E5%85%BB%E8%80%81").size(), 0u);                      // 养老
  EXPECT_EQ(names("/v1/units?name=%E4%BC%81%E4%B8%9A1&status=titled&limit=2").size(), 2u);  // with other filters and paging
  std::string out;
  ASSERT_EQ(Ctl({"units", "--name", "企业12"}, &out), 0) << out;
  EXPECT_EQ(out, "UNIT                NAME        CATEGORY    AUTHORITY  STATUS\n" + ids[11] +
                     "  测试企业12  enterprise  110000     titled\n");
  ASSERT_EQ(Ctl({"units", "--name", "养老"}, &out), 0) << out;
  EXPECT_EQ(out, "no units match\n");
}

TEST_F(NewcomerTest, PilotctlRefusesInvalidFiltersWithTheAllowedValues) {
  testing::TitledUnits(ledger_, *c_, 1);
  std::string out;
  EXPECT_EQ(Ctl({"units", "--status", "bogus"}, &out), 1);
  EXPECT_EQ(out, "pilotctl: bad_request: invalid status \"bogus\": use one of titled, revoked, submitted, recommended, published, rejected\n");
  EXPECT_EQ(Ctl({"units", "--campaign", "nosuch"}, &out), 1);
  EXPECT_EQ(out, "pilotctl: bad_request: invalid campaign \"nosuch\": use one of 2017\n");
  EXPECT_EQ(Ctl({"units", "--category", "enterprises"}, &out), 1);
  EXPECT_EQ(out, "pilotctl: bad_request: invalid category \"enterprises\": use one of enterprise, park, street, base\n");
  EXPECT_EQ(Ctl({"entries", "--types", "title.revokd"}, &out), 1);
  EXPECT_EQ(out, "pilotctl: bad_request: unknown event type \"title.revokd\" in --types (e.g. title.revoked; see docs/protocol.md)\n");
}

TEST_F(NewcomerTest, GlobalOptionsAreAcceptedAnywhereOnTheLine) {
  testing::TitledUnits(ledger_, *c_, 1);
  std::string before, after, middle, eq;
  ASSERT_EQ(Run({"--server", server_->url(), "--json", "units", "--limit", "1"}, &before), 0) << before;
  ASSERT_EQ(Run({"units", "--limit", "1", "--json", "--server", server_->url()}, &after), 0) << after;
  ASSERT_EQ(Run({"units", "--json", "--limit", "1", "--server=" + server_->url()}, &middle), 0) << middle;
  EXPECT_EQ(Json::parse(before)["units"].size(), 1u);
  EXPECT_EQ(before, after);
  EXPECT_EQ(before, middle);
  ASSERT_EQ(Run({"quotas", "2017", "--as", Key("miit"), "--server", server_->url()}, &eq), 0) << eq;
  EXPECT_NE(eq.find("AUTHORITY"), std::string::npos) << eq;
  EXPECT_EQ(Run({"units", "--server"}, &eq), 2);
  EXPECT_EQ(eq, "pilotctl: --server needs a value (a URL)\n");
}

TEST_F(NewcomerTest, StatusListsTheDecisionsWithDateSeqAndSigners) {
  const auto ids = testing::TitledUnits(ledger_, *c_, 2);
  ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, ids[1])).ok());
  std::string out;
  ASSERT_EQ(Ctl({"status", ids[1]}, &out), 0) << out;
  EXPECT_EQ(out, "测试企业2 (" + ids[1] +
                     ")\n"
                     "  category   enterprise / product\n"
                     "  region     110101\n"
                     "  authority  110000\n"
                     "  status     revoked\n"
                     "  title 2017: granted at seq 2, revoked at seq 3 (other)\n"
                     "  decisions  2 entries in the log (as of log size 4)\n"
                     "    SEQ  TYPE           DATE        SIGNERS\n"
                     "    2    title.granted  2023-10-15  miit, mca, nhc\n"
                     "    3    title.revoked  2023-10-15  miit, mca, nhc\n");
  ASSERT_EQ(Ctl({"status", ids[0]}, &out), 0) << out;
  EXPECT_NE(out.find("  decisions  1 entry in the log (as of log size 4)\n"), std::string::npos) << out;
}

TEST_F(NewcomerTest, CampaignsOfOneCampaignIsATableAndEntriesSayWhereMoreFollow) {
  testing::TitledUnits(ledger_, *c_, 1);
  for (int i = 2; i <= 4; ++i) testing::TitledUnits(ledger_, *c_, 1, i);  // seqs 3-5: more grants
  ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, testing::Uscc("110101", 3))).ok());  // seq 6
  std::string out;
  ASSERT_EQ(Ctl({"campaigns", "2017"}, &out), 0) << out;
  EXPECT_EQ(out.rfind("campaign        2017\ntitle           2017年智慧健康养老应用试点示范（第一批）\n", 0), 0u) << out;
  EXPECT_EQ(out.find('{'), std::string::npos) << "no JSON without --json: " << out;
  ASSERT_EQ(Ctl({"--json", "campaigns", "2017"}, &out), 0) << out;
  EXPECT_EQ(Json::parse(out)["rules"]["campaign"], "2017");

  ASSERT_EQ(Ctl({"entries", "--from", "1", "--limit", "2"}, &out), 0) << out;
  EXPECT_NE(out.find("\nmore: --from 3\n"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"entries", "--from", "5"}, &out), 0) << out;
  EXPECT_EQ(out.find("more:"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"entries", "--types", "title.granted", "--limit", "2"}, &out), 0) << out;
  EXPECT_NE(out.find("\n2    title.granted"), std::string::npos) << out;
  EXPECT_NE(out.find("\n3    title.granted"), std::string::npos) << out;
  EXPECT_NE(out.find("\nmore: --from 4\n"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"entries", "--types", "title.revoked,campaign.opened"}, &out), 0) << out;
  EXPECT_NE(out.find("\n1    campaign.opened"), std::string::npos) << out;
  EXPECT_NE(out.find("\n6    title.revoked"), std::string::npos) << out;
  EXPECT_EQ(out.find("title.granted"), std::string::npos) << out;
  EXPECT_EQ(out.find("more:"), std::string::npos) << out;
  ASSERT_EQ(Ctl({"entries", "--types", "review.passed"}, &out), 0) << out;
  EXPECT_EQ(out, "no entries of these types from seq 0\n");
}

TEST_F(NewcomerTest, RevokeHelpDoesNotBreakAWord) {
  std::string out;
  ASSERT_EQ(Run({"revoke", "--help"}, &out), 0) << out;
  EXPECT_NE(out.find("review_failed|review_not_requested|assessment_failed|objection_upheld|other\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("objection_uph\n"), std::string::npos) << out;
}

TEST_F(NewcomerTest, ReadAndKeyErrorsSayWhatToDo) {
  testing::TitledUnits(ledger_, *c_, 1);
  std::string out;
  // A protected read without --as.
  EXPECT_EQ(Ctl({"quotas", "2017"}, &out), 1);
  EXPECT_EQ(out,
            "pilotctl: unauthenticated: quota usage is served to authenticated ministry, provincial, SOE group and auditor actors; "
            "use --as KEYFILE (an actor's key file, e.g. data/dev-keys/auditor.pem) to read as that actor\n");
  // A new key for a registered actor: reads and signatures both say it is not the registered key.
  const std::string fresh = ledger_.dir() / "miit-new.pem";
  ASSERT_EQ(Run({"keygen", "--actor", "miit", "--role", "ministry", "--department", "miit", "--out", fresh}, &out), 0) << out;
  EXPECT_EQ(Ctl({"--as", fresh, "units"}, &out), 1);
  EXPECT_EQ(out, "pilotctl: unauthenticated: the read signature of miit does not verify: the key in " + fresh +
                     " is not miit's registered key (compare pilotctl actors miit)\n");
  const uint64_t size = Size();
  EXPECT_EQ(Ctl({"revoke", testing::Uscc("110101", 1), "--campaign", "2017", "--reason", "other", "--note", "x", "--key", fresh, "--key",
                 Key("mca"), "--key", Key("nhc")},
                &out),
            1);
  EXPECT_EQ(out.rfind("pilotctl: bad_signature: the signature of miit does not verify: this key is not miit's registered key (it has "
                      "public key ",
                      0),
            0u)
      << out;
  EXPECT_NE(out.find("; the ledger registered " + ledger_.Id("miit").key.public_key().ToBase64() + " at seq 0)\n"), std::string::npos)
      << out;
  EXPECT_EQ(Size(), size);
}

TEST_F(NewcomerTest, AMistypedLedgerKeySaysWhichPartIsWrong) {
  const std::string key = ledger_.verifier_key();  // test.pilotledger/log+<id>+<base64>
  const std::string suffix = " (a key is <origin>+<8 hex digit key id>+<base64 key>, as GET /v1/ledger-key serves it)\n";
  const auto first = key.find('+'), second = key.find('+', first + 1);
  const std::string id = key.substr(first + 1, 8);
  std::string out;
  const auto verify = [&](const std::string& k) {
    EXPECT_EQ(Ctl({"verify", "--ledger-key", k}, &out), 1) << k;
    return out.substr(out.find('\n') + 1);  // after the "verifying as a public reader" line
  };
  EXPECT_EQ(verify(key.substr(0, second)),
            "pilotctl: verification FAILED: --ledger-key: malformed verifier key \"" + key.substr(0, second) +
                "\": it does not have the three parts separated by '+'" + suffix);
  const std::string short_id = key.substr(0, first + 1) + id.substr(1) + key.substr(second);
  EXPECT_EQ(verify(short_id), "pilotctl: verification FAILED: --ledger-key: malformed verifier key \"" + short_id + "\": the key id \"" +
                                  id.substr(1) + "\" is not 8 lower-case hex digits" + suffix);
  const std::string truncated = key.substr(0, key.size() - 4);
  EXPECT_EQ(verify(truncated), "pilotctl: verification FAILED: --ledger-key: malformed verifier key \"" + truncated +
                                   "\": the key part decodes to 30 bytes, not 33 (the type byte 0x01 and a 32-byte Ed25519 key); is it "
                                   "truncated?" +
                                   suffix);
  const std::string origin = "test.pilotledger/lug" + key.substr(first);
  const std::string message = verify(origin);
  EXPECT_EQ(message.rfind("pilotctl: verification FAILED: --ledger-key: malformed verifier key \"" + origin + "\": the key id " + id +
                              " does not match the origin and the key (they give ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("): the origin or the key was mistyped"), std::string::npos) << message;
}

TEST_F(NewcomerTest, WatchReportsItsProgressAndCallsAnotherLedgersKeyAMistake) {
  const auto ids = testing::TitledUnits(ledger_, *c_, 2);
  ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, ids[0])).ok());
  const std::string state = ledger_.dir() / "watch.state", err = ledger_.dir() / "watch.err";
  int out_fd = -1;
  const pid_t pid = testing::Spawn({testing::Bin("pilotctl"), "watch", "--types", "title.revoked", "--state", state, "--ledger-key",
                                    ledger_.verifier_key(), "--server", server_->url()},
                                   out_fd, /*with_stderr=*/false, -1, err);
  std::string stderr_text;
  for (int i = 0; i < 100 && stderr_text.find("proven") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stderr_text = testing::ReadFile(err);
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  close(out_fd);
  EXPECT_NE(stderr_text.find("pilotctl watch: connected to " + server_->url() + ", from seq 0, types title.revoked\n"), std::string::npos)
      << stderr_text;
  EXPECT_NE(stderr_text.find("pilotctl watch: caught up at 4 (1 waiting for a checkpoint); following live entries\n"), std::string::npos)
      << stderr_text;
  EXPECT_NE(stderr_text.find("pilotctl watch: entry 3 (title.revoked) proven in the checkpoint of 4 entries\n"), std::string::npos)
      << stderr_text;

  TestLedger other;
  std::string out;
  EXPECT_EQ(Ctl({"watch", "--state", ledger_.dir() / "other.state", "--ledger-key", other.verifier_key()}, &out), 1);
  EXPECT_EQ(out, "pilotctl: the ledger key you trust is not the key of the ledger at " + server_->url() + " (it serves " +
                     ledger_.verifier_key() + "): check --ledger-key (or the key pinned in " + (ledger_.dir() / "other.state") +
                     "), or the server\n");
  EXPECT_EQ(out.find("data_loss"), std::string::npos);
}

TEST_F(NewcomerTest, QuotasFilterOneAuthority) {
  testing::TitledUnits(ledger_, *c_, 1);
  std::string out;
  ASSERT_EQ(Ctl({"--as", Key("miit"), "quotas", "2017", "--authority", "440300"}, &out), 0) << out;
  EXPECT_EQ(out.rfind("AUTHORITY  KIND                  ENTERPRISE  STREET  PARK  BASE  SOE TOTAL\n"
                      "440300     planned_city_or_xpcc  0/-         0/-           0/-   \n",
                      0),
            0u)
      << out;
  EXPECT_EQ(Ctl({"--as", Key("miit"), "quotas", "2017", "--authority", "440301"}, &out), 1);
  EXPECT_EQ(out, "pilotctl: bad_request: no authority 440301 in the quotas of campaign 2017 (an authority is a 6-digit region "
                 "authority code, e.g. 440300, or soe:<actor>; see pilotctl quotas 2017)\n");
}

// ---- On the sample that ./run loads (scripts/start.sh), as a newcomer meets it. ----

class SampleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string data = *dir_ / "data", log = *dir_ / "start.log";
    setenv("PILOT_DATA", data.c_str(), 1);
    setenv("PILOT_LISTEN", "127.0.0.1:0", 1);
    setenv("PILOT_BIN", PILOT_BIN_DIR, 1);
    int out_fd = -1;
    pid_ = testing::Spawn({"/bin/sh", "-c", "exec '" + std::string(PILOT_SOURCE_DIR) + "/scripts/start.sh' >>'" + log + "' 2>&1"}, out_fd,
                          /*with_stderr=*/false);
    close(out_fd);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string output = testing::ReadFile(log);
      const auto starting = output.find("is starting on");
      const auto at = output.rfind("listening on ");
      if (starting != std::string::npos && at != std::string::npos && at > starting && output.find(' ', at + 13) != std::string::npos) {
        url_ = "http://" + output.substr(at + 13, output.find(' ', at + 13) - at - 13);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    key_ = testing::ReadFile(data + "/ledger-key.txt");
    while (!key_.empty() && key_.back() == '\n') key_.pop_back();
    keys_ = data + "/dev-keys/";
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    delete dir_;
  }
  void SetUp() override { ASSERT_FALSE(url_.empty()) << testing::ReadFile(*dir_ / "start.log"); }
  int Ctl(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {testing::Bin("pilotctl"), "--server", url_});
    return testing::RunCommand(args, out);
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline pid_t pid_ = -1;
  static inline std::string url_, key_, keys_;
};

TEST_F(SampleTest, PublicVerifyChecksWhatAPublicReaderMaySeeAndSaysWhatItCouldNot) {
  std::string out;
  ASSERT_EQ(Ctl({"verify", "--ledger-key", key_}, &out), 0) << out;
  const std::string root = out.substr(out.find("root ") + 5, 44);
  EXPECT_EQ(out, "pilotctl verify: no --as KEYFILE, so verifying as a public reader (redacted entries cannot be checked)\n"
                 "verified as a public reader pilotledger.local/dev: 1306 entries (257 public, 1049 redacted)\n"
                 "  signatures    528 of the public entries checked with the signers' registered keys\n"
                 "  tree          root " + root + " from every leaf hash equals the checkpoint signed by the trusted key\n"
                 "  projections   269 public units served exactly as the public entries say\n"
                 "  NOT checked   the contents and signatures of the 1049 redacted entries; whether each signer was allowed to sign "
                 "(the policy) and the campaign rules, which need every entry; quotas, eligibility, scores and other non-public "
                 "projections; run verify --as an auditor or ministry key for those\n");
  // The auditor's full verification reaches the same root.
  ASSERT_EQ(Ctl({"--as", keys_ + "auditor.pem", "verify", "--ledger-key", key_}, &out), 0) << out;
  EXPECT_NE(out.find("  tree          root " + root + " equals the checkpoint signed by the trusted key"), std::string::npos) << out;
  EXPECT_NE(out.find("277 units and 4 campaigns' quotas served equal the replay"), std::string::npos) << out;
  // --public with an auditor's key verifies as the public would; --json for machines.
  ASSERT_EQ(Ctl({"--as", keys_ + "auditor.pem", "--json", "verify", "--public", "--ledger-key", key_}, &out), 0) << out;
  const Json j = Json::parse(out);
  EXPECT_EQ(j["mode"], "public");
  EXPECT_EQ(j["redacted"], 1049);
  EXPECT_EQ(j["units"], 269);
  // Another ledger's key fails.
  TestLedger other;
  EXPECT_EQ(Ctl({"verify", "--ledger-key", other.verifier_key()}, &out), 1);
  EXPECT_NE(out.find("pilotctl: verification FAILED: the served checkpoint is not signed by the trusted ledger key"), std::string::npos)
      << out;
}

TEST_F(SampleTest, QuotasExplainTheReviewCapOverTheListedUnits) {
  ASSERT_OK_AND_ASSIGN(auto c, client::LedgerClient::Connect(url_));
  ASSERT_OK_AND_ASSIGN(client::Identity auditor, client::LoadIdentity(keys_ + "auditor.pem"));
  c->SetReader(auditor);
  ASSERT_OK_AND_ASSIGN(Json q, c->GetJson("/v1/campaigns/sample-2026/quotas"));
  std::vector<std::string> over;
  Json review310000;
  for (const Json& a : q["authorities"]) {
    if (a["review"].contains("note")) over.push_back(a["authority"]);
    if (a["authority"] == "310000") review310000 = a["review"];
  }
  EXPECT_EQ(over, std::vector<std::string>{}) << "under review.base listed the base never shrinks below the recommendations";
  // Shanghai: 8 units on the review list, 5 requested; floor(70% of 8) = 5 recommended.
  EXPECT_EQ(review310000, Json::parse(R"({"base":8,"base_rule":"listed","cap":5,"cap_bp":7000,"extra":0,"listed":8,"recommended":5,
    "recommended_revoked":0,"remaining":0,"requested":5,"revoked_since_request":0})"));
  std::string out;
  ASSERT_EQ(Ctl({"quotas", "sample-2026", "--authority", "620000", "--as", keys_ + "p620000-miit.pem"}, &out), 0) << out;
  EXPECT_EQ(out,
            "AUTHORITY  KIND      ENTERPRISE  STREET  PARK  BASE  SOE TOTAL  UNDER REVIEW                REVIEW CAP  RECOMMENDED\n"
            "620000     province  0/3         1/8     0/3   1/3              6 (2 requested, 1 revoked)  4           2\n"
            "Places: used/limit (+extra granted by quota exceptions).\n"
            "Review: UNDER REVIEW is the base, the units on the review list (review.base listed); REVIEW CAP is the cap\n"
            "percentage of that base, rounded down (+extra by exception); RECOMMENDED counts every recommendation made.\n"
            "A recommendation is admitted only while RECOMMENDED < cap+extra.\n"
            "As of log size 1306\n");
}

TEST_F(SampleTest, AProofBundleChecksTheSignaturesTooAndSaysWhatItDoesNotProve) {
  // The sample's last entry, a revocation signed by the three ministries.
  const std::string bundle = *dir_ / "bundle-last.json";
  std::string out;
  ASSERT_EQ(Ctl({"proof", "1305", "--out", bundle}, &out), 0) << out;
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "verify-bundle", bundle, "--ledger-key", key_}, &out), 0) << out;
  EXPECT_NE(out.find(") is in the log signed by pilotledger.local/dev\n"
                     "  inclusion     proven in the checkpoint of 1306 entries signed by the trusted key\n"
                     "  signatures    3 of 3 verify with the keys their signers' registration entries record (proven in the same tree)\n"
                     "  not proven    that the signers were still active and allowed to sign it, and that it was admissible under the "
                     "rules (pilotctl verify checks those over the whole log)\n"),
            std::string::npos)
      << out;
  // Without the registrations (a bundle of an older pilotctl), it says the signatures are not checked.
  Json b = Json::parse(testing::ReadFile(bundle));
  Json signers = b["signers"];
  b.erase("signers");
  std::ofstream(bundle, std::ios::trunc) << b.dump();
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "verify-bundle", bundle, "--ledger-key", key_}, &out), 0) << out;
  EXPECT_NE(out.find("  signatures    NOT checked: the bundle carries no signers' registrations\n"
                     "  not proven    the signatures on the entry; that the signers were still active"),
            std::string::npos)
      << out;
  // A registration whose key was swapped for another actor's fails (its proof no longer holds).
  b["signers"] = signers;
  b["signers"][0]["entry"]["event"]["body"]["authorities"][0]["public_key"] = b["signers"][0]["entry"]["event"]["body"]["authorities"][1]["public_key"];
  std::ofstream(bundle, std::ios::trunc) << b.dump();
  EXPECT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "verify-bundle", bundle, "--ledger-key", key_}, &out), 1) << out;
  EXPECT_NE(out.find("the bundle does NOT verify: the registration of miit is not in the signed tree"), std::string::npos) << out;
}

}  // namespace
}  // namespace pilotledger
