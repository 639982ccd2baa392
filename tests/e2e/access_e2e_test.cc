// Read access over real HTTP: the PilotLedger-Sig header (stale, forged, unknown actor), redaction
// of non-public entries with leaf hashes that still verify, unit visibility by role, quota access.
#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

class AccessTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServerTest::SetUp());
    for (const char* who : {"auditor-1", "expert-1"}) {
      ASSERT_TRUE(c_->Append(ledger_.Register({who, std::string(who).substr(0, std::string(who).find('-')), "", "", ""})).ok());
    }
    testing::RegisterDepartments(ledger_, *c_, "110000");
    testing::RegisterDepartments(ledger_, *c_, "120000");
    testing::OpenSelection(ledger_, *c_, "e2e");
    submission_ = testing::StreetSubmission("e2e", 1);
    unit_ = submission_["unit"]["id"];
    ASSERT_TRUE(c_->Append(ledger_.Event("sub-1", "submission.filed", submission_, {"p110000-miit"})).ok());
  }
  Status GetStatus(client::LedgerClient& c, const std::string& target) { return c.GetJson(target).status(); }

  Json submission_;
  std::string unit_;
};

TEST_F(AccessTest, RedactedEntriesKeepTheirLeafHashesAndTheTreeVerifies) {
  ASSERT_OK_AND_ASSIGN(Json pub, c_->Entries(0, 1000));
  ASSERT_OK_AND_ASSIGN(Json full, As("auditor-1")->Entries(0, 1000));
  ASSERT_EQ(pub["entries"].size(), full["entries"].size());
  std::vector<Hash> leaves;
  int redacted = 0;
  for (size_t i = 0; i < full["entries"].size(); ++i) {
    const Json& f = full["entries"][i];
    const Json& p = pub["entries"][i];
    ASSERT_FALSE(f.contains("redacted"));
    const Hash h = merkle::HashLeaf(WriteCanonical(f));
    leaves.push_back(h);
    if (f["event"]["type"] == "submission.filed") {
      ++redacted;
      EXPECT_EQ(p, (Json{{"seq", i}, {"type", "submission.filed"}, {"leaf_hash", HashBase64(h)}, {"redacted", true}}));
    } else {
      EXPECT_EQ(p, f) << "public entry " << i << " must be served in full";
    }
  }
  EXPECT_EQ(redacted, 1);
  merkle::CompactRange range;
  for (const Hash& h : leaves) range.Append(h, [](merkle::NodeId, const Hash&) {});
  ASSERT_OK_AND_ASSIGN(std::string note, c_->SignedCheckpoint());
  ASSERT_OK_AND_ASSIGN(Checkpoint cp, VerifyCheckpoint(note, *note::ParseVerifierKey(ledger_.verifier_key())));
  EXPECT_EQ(cp.root, range.Root());
  // The single-entry endpoint redacts the same way, and shows ministries everything.
  const uint64_t seq = leaves.size() - 1;
  ASSERT_OK_AND_ASSIGN(Json one, c_->Entry(seq));
  EXPECT_EQ(one["redacted"], true);
  ASSERT_OK_AND_ASSIGN(Json one_full, As("miit")->Entry(seq));
  EXPECT_EQ(merkle::HashLeaf(WriteCanonical(one_full)), leaves.back());
}

TEST_F(AccessTest, StaleForgedAndUnknownReadHeadersAreUnauthenticated) {
  const std::string target = "/v1/entries?from=0&limit=10";
  SystemClock clock;
  const auto get = [&](const std::string& header) {
    Result<client::HttpResult> r = c_->http().Request("GET", target, "", {{"Authorization", header}});
    return std::make_pair(r->status, client::StatusFromError(*r).code());
  };
  const client::Identity auditor = ledger_.Id("auditor-1");
  const auto unauth = std::make_pair(401, Code::kUnauthenticated);
  EXPECT_EQ(get(client::ReadAuthorization("GET", target, auditor, Timestamp{clock.Now().ms - 301'000})), unauth);  // stale
  EXPECT_EQ(get(client::ReadAuthorization("GET", target, auditor, Timestamp{clock.Now().ms + 301'000})), unauth);  // future
  EXPECT_EQ(get(client::ReadAuthorization("GET", target + "&x=1", auditor, clock.Now())), unauth);  // other target
  EXPECT_EQ(get(client::ReadAuthorization("GET", target, {"auditor-1", *PrivateKey::Generate()}, clock.Now())), unauth);  // forged
  EXPECT_EQ(get(client::ReadAuthorization("GET", target, {"nobody", *PrivateKey::Generate()}, clock.Now())), unauth);
  EXPECT_EQ(get("Bearer abc"), unauth);
  EXPECT_EQ(get("PilotLedger-Sig actor=auditor-1"), unauth);
  Result<client::HttpResult> ok =
      c_->http().Request("GET", target, "", {{"Authorization", client::ReadAuthorization("GET", target, auditor, clock.Now())}});
  EXPECT_EQ(ok->status, 200);
}

TEST_F(AccessTest, UnitsAreVisibleByRole) {
  const std::string target = "/v1/units/" + unit_;
  // The public does not learn of a unit that no public entry names yet.
  EXPECT_EQ(GetStatus(*c_, target).code(), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(Json list, c_->GetJson("/v1/units?campaign=e2e"));
  EXPECT_TRUE(list["units"].empty());
  // Auditors and the unit's own authority see it in full, metrics and eligibility included.
  for (const char* reader : {"auditor-1", "p110000-civil"}) {
    ASSERT_OK_AND_ASSIGN(Json u, As(reader)->GetJson(target));
    EXPECT_EQ(u["status"], "submitted") << reader;
    EXPECT_EQ(u["applications"]["e2e"]["metrics"], submission_["metrics"]) << reader;
    EXPECT_EQ(u["eligibility"]["e2e"]["eligible"], true) << reader;
  }
  // Another region's department and an expert do not.
  EXPECT_EQ(GetStatus(*As("p120000-miit"), target).code(), Code::kNotFound);
  EXPECT_EQ(GetStatus(*As("expert-1"), target).code(), Code::kNotFound);
  // Once published, the public sees the unit, without what only non-public entries say.
  ASSERT_TRUE(c_->Append(ledger_.Event("rec-1", "recommendation.issued", {{"campaign", "e2e"}, {"unit_id", unit_}},
                                       {"p110000-miit", "p110000-civil", "p110000-health"}))
                  .ok());
  ASSERT_TRUE(c_->Append(ledger_.Event("pub-1", "publication.issued",
                                       {{"campaign", "e2e"}, {"units", {unit_}}, {"objection_deadline", "2099-01-01T00:00:00Z"}},
                                       testing::kMinistries))
                  .ok());
  ASSERT_OK_AND_ASSIGN(Json pub, c_->GetJson(target));
  EXPECT_EQ(pub["status"], "published");
  EXPECT_FALSE(pub["applications"]["e2e"].contains("metrics"));
  EXPECT_FALSE(pub["applications"]["e2e"].contains("submitted_seq")) << "the submission is not public";
  EXPECT_FALSE(pub["applications"]["e2e"].contains("recommended_seq")) << "the recommendation is not public";
  EXPECT_TRUE(pub["eligibility"].empty());
  for (const Json& h : pub["history"]) EXPECT_EQ(h["type"], "publication.issued");
}

TEST_F(AccessTest, QuotaUsageOnlyForMinistryProvincialSoeAndAuditorReaders) {
  const std::string target = "/v1/campaigns/e2e/quotas";
  EXPECT_EQ(GetStatus(*c_, target).code(), Code::kUnauthenticated);
  EXPECT_EQ(GetStatus(*As("expert-1"), target).code(), Code::kForbidden);
  for (const char* reader : {"auditor-1", "p120000-health", "miit"}) {
    ASSERT_OK_AND_ASSIGN(Json q, As(reader)->GetJson(target));
    EXPECT_EQ(q["campaign"], "e2e") << reader;
    EXPECT_TRUE(q.contains("as_of"));
  }
}

}  // namespace
}  // namespace pilotledger
