// docs/protocol.md's worked example, recomputed with the C++ implementation: the document's bytes
// (in tests/testdata/worked_example.json, computed independently in Python) must be exactly ours.
#include "client/ledger_client.h"
#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/log.h"
#include "projections/policy.h"
#include "tests/ledger/ledger_test_util.h"

namespace pilotledger {
namespace {

const Json& Example() {
  static const Json j = testing::TestData("worked_example.json");
  return j;
}

PrivateKey KeyFor(const std::string& name) {
  const std::string label = Example()["inputs"]["seed_labels"][name];
  const Hash seed = Sha256(label);
  return *PrivateKey::FromSeed(AsBytes(seed));
}

Timestamp Time(const Json& j) { return *ParseRfc3339(j.get<std::string>()); }

TEST(WorkedExampleTest, KeysAndVerifierKeyMatchTheDocument) {
  for (const auto& [name, k] : Example()["keys"].items()) {
    const PrivateKey key = KeyFor(name);
    EXPECT_EQ(HexEncode(key.Seed()), k["seed_hex"]) << name;
    EXPECT_EQ(key.public_key().ToBase64(), k["public_key_b64"]) << name;
  }
  EXPECT_EQ(note::VerifierKeyString(Example()["inputs"]["origin"].get<std::string>(), KeyFor("ledger").public_key()),
            Example()["ledger_key"]["verifier_key"]);
  EXPECT_EQ(projections::DefaultPolicyJson(), Example()["default_policy"]);
}

TEST(WorkedExampleTest, LogWritesTheDocumentsLeavesHashesAndCheckpoints) {
  const Json& x = Example();
  const Json& in = x["inputs"];
  const std::string origin = in["origin"];
  const PrivateKey ledger_key = KeyFor("ledger");

  Json authorities = Json::array();
  for (const Json& a : in["authorities"]) {
    Json d = a;
    d["public_key"] = KeyFor(a["actor"]).public_key().ToBase64();
    authorities.push_back(d);
  }
  const Json body = {{"origin", origin}, {"ledger_key", x["ledger_key"]["verifier_key"]}, {"authorities", authorities},
                     {"policy", projections::DefaultPolicyJson()}};
  ASSERT_OK_AND_ASSIGN(SignedEvent genesis, MakeEvent(in["genesis"]["id"], in["genesis"]["type"], Time(in["genesis"]["time"]), body));
  EXPECT_EQ(genesis.canonical, x["genesis"]["canonical_event"]);

  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, ledger::OpenRocksStore(dir / "db", {.create_if_missing = true}));
  ASSERT_OK(ledger::Log::Create(*store, ledger_key, origin, genesis, Time(in["genesis"]["received"])));
  ASSERT_OK_AND_ASSIGN(auto log, ledger::Log::Open(*store, ledger_key));
  ASSERT_OK_AND_ASSIGN(std::string leaf0, log->ReadLeaf(0));
  EXPECT_EQ(leaf0, x["genesis"]["leaf"]);
  EXPECT_EQ(HashBase64(*log->LeafHash(0)), x["genesis"]["leaf_hash"]["b64"]);
  EXPECT_EQ(*log->signed_checkpoint(), x["tree"]["checkpoints"]["1"]["note"]);

  const Json& e1 = in["event1"];
  const Json actor = {{"actor", e1["actor"]["actor"]}, {"role", e1["actor"]["role"]}, {"name", e1["actor"]["name"]},
                      {"public_key", KeyFor("expert-1").public_key().ToBase64()}};
  ASSERT_OK_AND_ASSIGN(SignedEvent event, MakeEvent(e1["id"], e1["type"], Time(e1["time"]), actor));
  client::AddSignature(event, {e1["signer"], KeyFor(e1["signer"])});
  EXPECT_EQ(event.canonical, x["event1"]["canonical_event"]);
  EXPECT_EQ(SigningInput(event.canonical), x["event1"]["signing_input"]);
  EXPECT_EQ(Base64Encode(event.sigs[0].sig), x["event1"]["signature_b64"]);
  EXPECT_EQ(WriteCanonical(SubmissionJson(event)), x["event1"]["submission"]);

  ASSERT_OK_AND_ASSIGN(auto appended, log->Append({Entry{1, Time(e1["received"]), event}}));
  EXPECT_EQ(appended[0].leaf, x["event1"]["leaf"]);
  EXPECT_EQ(HashBase64(appended[0].leaf_hash), x["event1"]["leaf_hash"]["b64"]);
  EXPECT_EQ(HashBase64(*log->RootAt(2)), x["tree"]["root_size_2"]["b64"]);
  EXPECT_EQ(*log->signed_checkpoint(), x["tree"]["checkpoints"]["2"]["note"]);

  ASSERT_OK_AND_ASSIGN(auto inclusion, log->InclusionProof(1, 2));
  ASSERT_OK_AND_ASSIGN(auto consistency, log->ConsistencyProof(1, 2));
  const auto b64 = [](const std::vector<Hash>& hs) {
    Json out = Json::array();
    for (const Hash& h : hs) out.push_back(HashBase64(h));
    return out;
  };
  EXPECT_EQ(WriteCanonical({{"index", 1}, {"size", 2}, {"hashes", b64(inclusion)}}), x["tree"]["inclusion_1_in_2_response"]);
  EXPECT_EQ(WriteCanonical({{"from", 1}, {"to", 2}, {"hashes", b64(consistency)}}), x["tree"]["consistency_1_to_2_response"]);
}

TEST(WorkedExampleTest, ReadAuthorizationHeaderMatchesTheDocument) {
  const Json& r = Example()["inputs"]["read"];
  EXPECT_EQ(client::ReadAuthorization(r["method"], r["target"], {r["actor"], KeyFor(r["actor"])}, Time(r["time"])),
            Example()["read_auth"]["header"]);
}

}  // namespace
}  // namespace pilotledger
