// Key handling (issue 9): the ledger key and the actors' private keys never appear in anything the
// server prints or serves, including its answers to bad requests and its request log.
#include "client/keys.h"
#include "ledger/encoding.h"
#include "tests/e2e/server_fixture.h"

namespace pilotledger {
namespace {

class KeysTest : public testing::ServerTest {
 protected:
  KeysTest() : ServerTest(std::vector<std::string>{"--log-requests", "true"}) {}
};

// The forms a 32-byte seed could leak in: base64, hex, and (for the ledger key) the PEM body.
std::vector<std::string> Forms(const PrivateKey& key) {
  const std::string seed = key.Seed();
  std::vector<std::string> forms = {Base64Encode(seed), HexEncode(seed)};
  std::istringstream pem(key.ToPem());
  for (std::string line; std::getline(pem, line);) {
    if (!line.empty() && line[0] != '-') forms.push_back(line);
  }
  return forms;
}

TEST_F(KeysTest, NoPrivateKeyIsEverPrintedOrServed) {
  ASSERT_OK_AND_ASSIGN(PrivateKey ledger_key, PrivateKey::LoadPem(ledger_.data_dir() + "/ledger-key.pem"));
  ASSERT_TRUE(c_->Append(ledger_.Register({"auditor-1", "auditor", "", "", ""})).ok());
  const auto units = testing::TitledUnits(ledger_, *c_, 2);
  ASSERT_TRUE(c_->Append(testing::Revocation(ledger_, units[0])).ok());
  // Bad requests too: a malformed body, a forged signature, an unknown signer.
  EXPECT_FALSE(c_->AppendRaw("{\"event\":").ok());
  SignedEvent forged = ledger_.Register({"forged", "expert", "", "", ""});
  forged.sigs[0].sig[0] = char(forged.sigs[0].sig[0] ^ 1);
  EXPECT_FALSE(c_->Append(forged).ok());

  std::string served;
  auto auditor = As("auditor-1");
  for (const char* target : {"/v1/entries?from=0&limit=1000", "/v1/actors", "/v1/units", "/v1/checkpoint", "/v1/ledger-key",
                             "/healthz", "/metrics", "/v1/campaigns", "/v1/campaigns/2017/quotas", "/v1/nope"}) {
    for (client::LedgerClient* c : {c_.get(), auditor.get()}) {
      Result<client::HttpResult> r = c->Raw("GET", target);
      ASSERT_TRUE(r.ok()) << target;
      served += r->body;
    }
  }
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string printed = server_->Output() + server_->Log();
  ASSERT_NE(printed.find("/v1/entries"), std::string::npos) << "the request log is on";

  std::vector<std::pair<std::string, std::string>> secrets;
  for (const std::string& f : Forms(ledger_key)) secrets.emplace_back("the ledger key", f);
  for (const char* actor : {"miit", "mca", "nhc", "auditor-1", "forged"}) {
    for (const std::string& f : Forms(ledger_.Id(actor).key)) secrets.emplace_back(std::string("the key of ") + actor, f);
  }
  for (const auto& [whose, form] : secrets) {
    EXPECT_EQ(served.find(form), std::string::npos) << whose << " is served";
    EXPECT_EQ(printed.find(form), std::string::npos) << whose << " is printed";
  }
}

}  // namespace
}  // namespace pilotledger
