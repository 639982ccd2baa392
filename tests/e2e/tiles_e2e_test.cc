// The C2SP tlog-tiles read API of a running server: hash tiles from the stored tree, entry bundles
// under the read rules, the paths and refusals, pilotctl verify --tiles, and the independent
// Python check of the tiles against the checkpoint's root.
#include "client/keys.h"
#include "ledger/merkle.h"
#include "ledger/tiles.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

class TilesTest : public testing::ServerTest {
 protected:
  TilesTest() : ServerTest(std::vector<std::string>{"--log-requests", "false"}) {}
  client::HttpResult Get(client::LedgerClient& c, const std::string& target) {
    Result<client::HttpResult> r = c.Raw("GET", target);
    return r.ok() ? *r : client::HttpResult{};
  }
};

TEST_F(TilesTest, TilesAndBundlesServeTheLogUnderTheReadRules) {
  ASSERT_TRUE(c_->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  testing::RegisterDepartments(ledger_, *c_, "110000");
  testing::OpenSelection(ledger_, *c_, "e2e");
  ASSERT_TRUE(c_->Append(ledger_.Event("sub-1", "submission.filed", testing::StreetSubmission("e2e", 1), {"p110000-miit"})).ok());
  for (int i = 0; i < 260; ++i) ASSERT_TRUE(c_->Append(ledger_.Register({"expert-" + std::to_string(i), "expert", "", "", ""})).ok());
  const uint64_t size = 267;  // genesis, auditor, 3 departments, the campaign, the submission, 260 experts
  ASSERT_EQ(*c_->SignedCheckpoint(), Get(*c_, "/tlog/checkpoint").body);
  auto auditor = As("auditor-1");
  std::vector<std::string> leaves;
  for (uint64_t seq = 0; seq < size; ++seq) leaves.push_back(WriteCanonical(*auditor->Entry(seq)));

  // Level 0: the full tile and the partial one of width 11; level 1: one hash, the full tile's root.
  client::HttpResult full = Get(*c_, "/tlog/tile/0/000");
  ASSERT_EQ(full.status, 200);
  EXPECT_EQ(full.content_type, "application/octet-stream");
  ASSERT_EQ(full.body.size(), 8192u);
  client::HttpResult partial = Get(*c_, "/tlog/tile/0/001.p/11");
  ASSERT_EQ(partial.body.size(), 352u);
  std::vector<Hash> level0;
  for (const std::string& t : {full.body, partial.body}) {
    for (size_t i = 0; i < t.size(); i += 32) {
      Hash h;
      std::copy_n(t.data() + i, 32, h.begin());
      level0.push_back(h);
    }
  }
  for (uint64_t seq = 0; seq < size; ++seq) ASSERT_EQ(level0[seq], merkle::HashLeaf(leaves[seq])) << seq;
  client::HttpResult upper = Get(*c_, "/tlog/tile/1/000.p/1");
  ASSERT_EQ(upper.body.size(), 32u);
  merkle::CompactRange range;
  for (size_t i = 0; i < 256; ++i) range.Append(level0[i], [](merkle::NodeId, const Hash&) {});
  EXPECT_EQ(upper.body, std::string(AsBytes(range.Root())));
  // Shorter partial tiles of checkpointed sizes are served too; nothing beyond the log, no other spelling.
  EXPECT_EQ(Get(*c_, "/tlog/tile/0/001.p/3").body, partial.body.substr(0, 96));
  for (const char* beyond : {"/tlog/tile/0/001.p/12", "/tlog/tile/0/001", "/tlog/tile/1/000", "/tlog/tile/2/000.p/1", "/tlog/tile/0/002.p/1",
                             "/tlog/tile/0/x000/001.p/11", "/tlog/tile/0/1", "/tlog/tile/0/001.p/0", "/tlog/tile/64/000.p/1",
                             "/tlog/tile/entries/001.p/12", "/tlog/tiles", "/tlog/"}) {
    const client::HttpResult r = Get(*c_, beyond);
    EXPECT_EQ(r.status, 404) << beyond;
    EXPECT_NE(r.body.find("\"not_found\""), std::string::npos) << beyond << r.body;
  }
  EXPECT_EQ(Get(*c_, "/tlog/checkpoint?x=1").status, 400);
  EXPECT_EQ(c_->Raw("POST", "/tlog/checkpoint", "")->status, 405);

  // Entry bundles: the public's has the submission (seq 6) as its redaction stub, the auditor's in full.
  Result<std::vector<std::string>> public_bundle = tiles::DecodeBundle(Get(*c_, "/tlog/tile/entries/000").body);
  Result<std::vector<std::string>> auditor_bundle = tiles::DecodeBundle(Get(*auditor, "/tlog/tile/entries/000").body);
  ASSERT_TRUE(public_bundle.ok() && auditor_bundle.ok());
  ASSERT_EQ(public_bundle->size(), 256u);
  ASSERT_EQ(auditor_bundle->size(), 256u);
  for (uint64_t seq = 0; seq < 256; ++seq) {
    EXPECT_EQ((*auditor_bundle)[seq], leaves[seq]) << seq;
    if (seq != 6) {
      EXPECT_EQ((*public_bundle)[seq], leaves[seq]) << seq;
    }
  }
  EXPECT_EQ((*public_bundle)[6], WriteCanonical({{"leaf_hash", HashBase64(level0[6])}, {"redacted", true}, {"seq", 6}, {"type", "submission.filed"}}));
  EXPECT_EQ(tiles::DecodeBundle(Get(*c_, "/tlog/tile/entries/001.p/11").body)->back(), leaves[266]);

  // pilotctl audits from the tiles alone, as an auditor and as the public.
  ASSERT_OK(client::SaveIdentity(ledger_.dir() / "auditor-1.pem", ledger_.Id("auditor-1")));
  std::string out;
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "--as", ledger_.dir() / "auditor-1.pem", "verify", "--tiles",
                                 "--ledger-key", ledger_.verifier_key(), "--no-compare"}, &out), 0) << out;
  EXPECT_NE(out.find("verified test.pilotledger/log: 267 entries"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "verify", "--tiles", "--ledger-key", ledger_.verifier_key()}, &out), 0) << out;
  EXPECT_NE(out.find("266 public, 1 redacted"), std::string::npos) << out;
  // With a state file, the next run proves consistency from tiles.
  const std::string state = ledger_.dir() / "verify.state";
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "--as", ledger_.dir() / "auditor-1.pem", "verify", "--tiles",
                                 "--ledger-key", ledger_.verifier_key(), "--no-compare", "--state", state}, &out), 0) << out;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c_->Append(ledger_.Register({"late-" + std::to_string(i), "expert", "", "", ""})).ok());
  ASSERT_EQ(testing::RunCommand({testing::Bin("pilotctl"), "--server", server_->url(), "--as", ledger_.dir() / "auditor-1.pem", "verify", "--tiles",
                                 "--ledger-key", ledger_.verifier_key(), "--no-compare", "--state", state}, &out), 0) << out;
  EXPECT_NE(out.find("3 new since the remembered checkpoint of 267, consistency proven"), std::string::npos) << out;

  // The independent check (Python): every tile against the root, every bundle against the tiles.
  ASSERT_EQ(testing::RunCommand({"/usr/bin/python3", std::string(PILOT_SOURCE_DIR) + "/tests/tools/tlog_check.py", server_->url(), "--ledger-key",
                                 ledger_.verifier_key()}, &out), 0) << out;
  EXPECT_NE(out.find("\"size\": 270, \"root\": \"ok\", \"higher_tile_hashes\": 1, \"redacted\": 1"), std::string::npos) << out;
}

}  // namespace
}  // namespace pilotledger
