// The auditor's verifier (client/verifier.h) on crafted logs: an in-memory log from the shared
// builder served as a server would serve it, then tampered with one way at a time, as a server
// holding the ledger key could (forged signatures, bad proofs, forks, rewritten history, wrong
// projections). Each failure must be refused with its exact cause.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "client/verifier.h"
#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "projections/key_rotation.h"
#include "projections/views.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/ledger_builder.h"

namespace pilotledger {
namespace {

using testing::LogBuilder;

// A ledger as a server serves it to an auditor: the builder's entries, a checkpoint of all of them
// signed by the ledger key, honest proofs and the replay's views. Tests change the members.
class CraftedSource final : public client::LedgerSource {
 public:
  explicit CraftedSource(const LogBuilder& log) : log_(log) {
    for (uint64_t seq = 0; seq < log.entries.size(); ++seq) entries.push_back(log.EntryJson(seq));
    checkpoint = log.SignedCheckpoint(log.entries.size());
    consistency = [&log](uint64_t from, uint64_t to) { return log.Consistency(from, to); };
    const uint64_t size = log.entries.size();
    Json list = projections::UnitList(
        log.state, {}, "", 1000, [](const projections::Unit&) { return true; }, [](const projections::Unit&) { return true; });
    list["as_of"] = size;
    views["/v1/units?limit=1000"] = list;
    for (const auto& [id, u] : log.state.units) {
      Json v = projections::UnitView(log.state, u, true);
      v["as_of"] = size;
      views["/v1/units/" + id] = v;
    }
    for (const auto& [id, c] : log.state.campaigns) {
      Json v = projections::QuotaView(log.state, c);
      v["as_of"] = size;
      views["/v1/campaigns/" + id + "/quotas"] = v;
    }
  }

  // Replaces the served entries by `served` and signs a checkpoint over them with the ledger key,
  // as a dishonest server holding the key would.
  // With `key`, the checkpoint is signed by that key instead (a rotated one).
  void ServeAndSign(std::vector<Json> served, const PrivateKey* key = nullptr) {
    entries = std::move(served);
    merkle::CompactRange range;
    for (const Json& e : entries) range.Append(merkle::HashLeaf(WriteCanonical(e)), [](merkle::NodeId, const Hash&) {});
    checkpoint = SignCheckpoint({log_.origin(), entries.size(), range.Root()}, key ? *key : log_.ledger_key());
  }

  Result<std::string> SignedCheckpoint() override { return checkpoint; }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) override {
    consistency_asked.emplace_back(from, to);
    return consistency(from, to);
  }
  Result<Json> Entries(uint64_t from, uint64_t limit) override {
    Json page = {{"entries", Json::array()}};
    for (uint64_t seq = from; seq < entries.size() && seq < from + limit; ++seq) page["entries"].push_back(entries[seq]);
    page["next"] = from + page["entries"].size();
    return page;
  }
  Result<Json> GetJson(const std::string& target) override {
    auto it = views.find(target);
    if (it == views.end()) return Status(Code::kNotFound, "no view " + target);
    return it->second;
  }

  std::vector<Json> entries;
  std::string checkpoint;
  std::function<std::vector<Hash>(uint64_t, uint64_t)> consistency;
  std::map<std::string, Json> views;
  std::vector<std::pair<uint64_t, uint64_t>> consistency_asked;

 private:
  const LogBuilder& log_;
};

// A state file path in a fresh directory, removed afterwards.
class StateFile {
 public:
  std::string path() const { return dir_ / "auditor-state.json"; }

 private:
  pilotledger::testing::TempDir dir_;
};

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // seq 1, 2: an expert and an auditor; 3: the 2017 campaign; 4: two titles; 5: a revocation.
    ASSERT_OK(Register("expert-1", "expert"));
    ASSERT_OK(Register("auditor-1", "auditor"));
    fork_ = log_;  // a copy after entry 2, which the fork tests grow differently
    ASSERT_OK(log_.Append("campaign.opened", {{"campaign", "2017"}, {"rules", testing::CampaignRules("2017")}}, LogBuilder::Ministries()));
    Json units = Json::array();
    for (int i = 1; i <= 2; ++i) {
      units_.push_back(testing::Uscc("110101", i));
      units.push_back({{"id", units_.back()}, {"name", "测试企业" + std::to_string(i)}, {"category", "enterprise"},
                       {"subtype", "product"}, {"region", "110101"}, {"authority", "110000"}});
    }
    ASSERT_OK(log_.Append("title.granted", {{"campaign", "2017"}, {"units", units}}, LogBuilder::Ministries()));
    ASSERT_OK(log_.Append("title.revoked", {{"campaign", "2017"}, {"unit_id", units_[1]}, {"reason", "other"}, {"note", "测试撤销"}},
                          LogBuilder::Ministries()));
    ASSERT_EQ(log_.entries.size(), 6u);
  }

  Status Register(const std::string& id, const std::string& role, LogBuilder* log = nullptr) {
    LogBuilder& l = log ? *log : log_;
    return l.Append("actor.registered", testing::ActorDescriptor(id, role, "Actor " + id, l.Key(id).public_key()), {"miit"});
  }
  client::VerifyOptions Options(const std::string& state_file = "") const {
    return {.ledger_key = log_.verifier_key(), .state_file = state_file, .compare_projections = true};
  }

  // Verifies the whole of log_ once, remembering it in `state`.
  void VerifyOnce(const StateFile& state) {
    CraftedSource source(log_);
    Result<client::VerifyReport> r = client::VerifyLedger(source, Options(state.path()));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size, 6u);
  }

  LogBuilder log_;
  LogBuilder fork_;
  std::vector<std::string> units_;
};

TEST_F(VerifierTest, AnHonestLogVerifies) {
  CraftedSource source(log_);
  ASSERT_OK_AND_ASSIGN(client::VerifyReport report, client::VerifyLedger(source, Options()));
  EXPECT_EQ(report.origin, log_.origin());
  EXPECT_EQ(report.from, 0u);
  EXPECT_EQ(report.size, 6u);
  // 1 + 1 (registrations by MIIT) + 3 (opening) + 3 (titles) + 3 (revocation); genesis is unsigned.
  EXPECT_EQ(report.signatures, 11u);
  EXPECT_EQ(report.units, 2u);
  EXPECT_EQ(report.campaigns, 1u);
  EXPECT_EQ(report.root, HashBase64(log_.Root(6)));
  EXPECT_TRUE(source.consistency_asked.empty());  // nothing remembered: no consistency proof needed
}

TEST_F(VerifierTest, AStateFileResumesWithAConsistencyProofAndChecksOnlyTheNewEntries) {
  StateFile state;
  {
    CraftedSource source(log_);
    ASSERT_OK_AND_ASSIGN(client::VerifyReport first, client::VerifyLedger(source, Options(state.path())));
    EXPECT_EQ(first.size, 6u);
  }
  ASSERT_OK(Register("expert-2", "expert"));
  CraftedSource source(log_);
  ASSERT_OK_AND_ASSIGN(client::VerifyReport second, client::VerifyLedger(source, Options(state.path())));
  EXPECT_EQ(second.from, 6u);
  EXPECT_EQ(second.size, 7u);
  EXPECT_EQ(second.signatures, 1u);
  EXPECT_EQ(source.consistency_asked, (std::vector<std::pair<uint64_t, uint64_t>>{{6, 7}}));
  EXPECT_EQ(second.root, HashBase64(log_.Root(7)));
}

TEST_F(VerifierTest, AForgedSignatureOnOneEntryIsNamedByItsSeq) {
  CraftedSource source(log_);
  // Entry 4 (the titles) keeps its MCA signature's signer but the bytes are another key's signature.
  std::vector<Json> forged = source.entries;
  const std::string other = PrivateKey::Generate()->Sign(SigningInput(log_.entries[4].signed_event.canonical));
  ASSERT_EQ(forged[4]["sigs"][1]["signer"], "mca");
  forged[4]["sigs"][1]["sig"] = Base64Encode(other);
  source.ServeAndSign(forged);  // the tree and checkpoint agree with the forgery: only the signature is wrong
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "entry 4 (title.granted " + log_.entries[4].signed_event.id +
                                      ") should not have been admitted: bad_signature: the signature of mca does not verify");
}

TEST_F(VerifierTest, AnEntryWithASignerNeverRegisteredIsNamedByItsSeq) {
  // Entry 2 gains a valid signature by an actor the log never registered.
  CraftedSource source(log_);
  std::vector<Json> forged = source.entries;
  const Entry& e = log_.entries[2];
  ASSERT_EQ(forged[2]["sigs"].size(), 1u) << forged[2].dump();
  Json ghost = forged[2]["sigs"][0];
  ghost["signer"] = "ghost";
  ghost["sig"] = Base64Encode(PrivateKey::Generate()->Sign(SigningInput(e.signed_event.canonical)));
  forged[2]["sigs"].push_back(ghost);
  source.ServeAndSign(forged);
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "entry 2 (actor.registered " + e.signed_event.id +
                                      ") should not have been admitted: unknown_signer: signer ghost is not a registered actor");
}

TEST_F(VerifierTest, EntriesThatDoNotHashToTheSignedRootAreRefused) {
  // Honest entries with a checkpoint signed over a different root (the leaves of a tampered log).
  CraftedSource source(log_);
  std::vector<Json> honest = source.entries;
  std::vector<Json> tampered = honest;
  tampered[5]["event"]["body"]["note"] = "另一个撤销理由";
  source.ServeAndSign(tampered);
  source.entries = honest;
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  // The server's proofs are of the honest tree, so none connects a prefix to the tampered root.
  EXPECT_EQ(r.status().message(), "the 6 entries served do not hash to the signed checkpoint's root; "
                                  "the server's consistency proofs connect no prefix of them to it");
}

TEST_F(VerifierTest, TheFirstServedEntryOutsideTheSignedLogIsNamed) {
  // A server whose store had entry 5's bytes changed after it was signed (its received time, which
  // no signature covers): the checkpoint and the proofs are the honest tree's.
  CraftedSource source(log_);
  source.entries[5]["received"] = "2023-10-15T08:00:00.001Z";
  ASSERT_NE(source.entries[5], log_.EntryJson(5));
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the 6 entries served do not hash to the signed checkpoint's root; the first that does not "
                                  "belong to it is entry 5 (the 5 before it are proven a prefix of the signed log)");
}

TEST_F(VerifierTest, ACheckpointNotSignedByTheTrustedKeyIsRefused) {
  CraftedSource source(log_);
  source.checkpoint = SignCheckpoint({log_.origin(), 6, log_.Root(6)}, *PrivateKey::Generate());
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "the served checkpoint is not signed by the trusted ledger key: note has no verifiable signatures");
}

TEST_F(VerifierTest, AGapInTheServedEntriesIsNamed) {
  CraftedSource source(log_);
  std::vector<Json> gap = source.entries;
  gap.erase(gap.begin() + 3);  // entry 3 missing: entry 4 is served in its place
  source.ServeAndSign(gap);
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "entry 3 is served as seq 4: a gap or a reordering");
}

TEST_F(VerifierTest, RedactedEntriesCannotBeVerified) {
  CraftedSource source(log_);
  source.entries[1] = {{"seq", 1}, {"redacted", true}, {"type", "actor.registered"},
                       {"leaf_hash", HashBase64(merkle::HashLeaf(EntryLeaf(log_.entries[1])))}};
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "entry 1 is redacted: verify as an auditor or ministry (pilotctl --as KEY verify)");
}

TEST_F(VerifierTest, ABadConsistencyProofIsRefused) {
  StateFile state;
  {
    CraftedSource source(log_);
    ASSERT_OK(client::VerifyLedger(source, Options(state.path())).status());
  }
  ASSERT_OK(Register("expert-2", "expert"));
  ASSERT_OK(Register("expert-3", "expert"));
  CraftedSource source(log_);
  source.consistency = [this](uint64_t from, uint64_t to) {
    std::vector<Hash> proof = log_.Consistency(from, to);
    proof.back()[0] ^= 1;
    return proof;
  };
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options(state.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(),
            "the log was rewritten or forked: the checkpoint of 8 entries is not an extension of the verified one of 6 "
            "(consistency proof does not lead to the first root)");
  // An empty proof is refused too.
  source.consistency = [](uint64_t, uint64_t) { return std::vector<Hash>{}; };
  r = client::VerifyLedger(source, Options(state.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "the log was rewritten or forked: the checkpoint of 8 entries is not an extension of the verified one of 6 "
            "(consistency proof is empty)");
}

TEST_F(VerifierTest, AForkOfTheRememberedCheckpointIsDetected) {
  StateFile state;
  VerifyOnce(state);
  // The fork shares entries 0-2, then differs; signed by the same ledger key and with honest proofs
  // of its own tree, it is longer than what the auditor verified, but not an extension of it.
  for (const char* id : {"impostor-1", "impostor-2", "impostor-3", "impostor-4", "impostor-5"}) ASSERT_OK(Register(id, "expert", &fork_));
  ASSERT_EQ(fork_.entries.size(), 8u);
  CraftedSource forked(fork_);
  Result<client::VerifyReport> r = client::VerifyLedger(forked, Options(state.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(),
            "the log was rewritten or forked: the checkpoint of 8 entries is not an extension of the verified one of 6 "
            "(consistency proof does not lead to the first root)");
  EXPECT_EQ(forked.consistency_asked, (std::vector<std::pair<uint64_t, uint64_t>>{{6, 8}}));
  // The honest log, grown, still verifies from the same state file: the failure changed nothing.
  ASSERT_OK(Register("expert-2", "expert"));
  CraftedSource honest(log_);
  ASSERT_OK_AND_ASSIGN(client::VerifyReport report, client::VerifyLedger(honest, Options(state.path())));
  EXPECT_EQ(report.from, 6u);
  EXPECT_EQ(report.size, 7u);
}

TEST_F(VerifierTest, AForkOfTheSameSizeIsDetected) {
  StateFile state;
  VerifyOnce(state);
  for (const char* id : {"impostor-1", "impostor-2", "impostor-3"}) ASSERT_OK(Register(id, "expert", &fork_));
  ASSERT_EQ(fork_.entries.size(), 6u);
  CraftedSource forked(fork_);
  Result<client::VerifyReport> r = client::VerifyLedger(forked, Options(state.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(),
            "the log was rewritten or forked: the checkpoint of 6 entries is not an extension of the verified one of 6 "
            "(different roots for the same size)");
}

TEST_F(VerifierTest, AShorterLogThanTheRememberedOneIsARewrite) {
  StateFile state;
  VerifyOnce(state);
  CraftedSource shorter(fork_);
  Result<client::VerifyReport> r = client::VerifyLedger(shorter, Options(state.path()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "the log was rewritten: it now has 3 entries, fewer than the 6 already verified");
}

TEST_F(VerifierTest, AServedUnitThatDiffersFromTheReplayIsReported) {
  CraftedSource source(log_);
  Json& revoked = source.views["/v1/units/" + units_[1]];
  ASSERT_EQ(revoked["status"], "revoked");
  revoked["status"] = "titled";  // the server hides the revocation
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  Json replay = projections::UnitView(log_.state, log_.state.units.at(units_[1]), true);
  replay["as_of"] = 6;
  EXPECT_EQ(r.status().message(), "unit " + units_[1] + ": the served status differs from the replay: served " + revoked.dump() +
                                      ", replay " + replay.dump());
  // Without the comparison the log itself verifies.
  client::VerifyOptions no_compare = Options();
  no_compare.compare_projections = false;
  ASSERT_OK_AND_ASSIGN(client::VerifyReport report, client::VerifyLedger(source, no_compare));
  EXPECT_EQ(report.size, 6u);
  EXPECT_EQ(report.units, 0u);
}

TEST_F(VerifierTest, ServedQuotasThatDifferFromTheReplayAreReported) {
  CraftedSource source(log_);
  Json& quotas = source.views["/v1/campaigns/2017/quotas"];
  ASSERT_TRUE(quotas.contains("authorities")) << quotas.dump();
  quotas["authorities"] = Json::array();
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "campaign 2017: the served quota usage differs from the replay");
}

TEST_F(VerifierTest, AServedUnitListThatDiffersFromTheReplayIsReported) {
  CraftedSource source(log_);
  Json& list = source.views["/v1/units?limit=1000"];
  ASSERT_EQ(list["units"].size(), 2u);
  list["units"].erase(1);  // the revoked unit is not listed
  Result<client::VerifyReport> r = client::VerifyLedger(source, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "the server lists 1 units, the replay 2");
}

// --- offline proof bundles (pilotctl proof / verify-bundle) ---

class ProofBundleTest : public VerifierTest {
 protected:
  Json Bundle(uint64_t seq) const {
    Json hashes = Json::array();
    for (const Hash& h : log_.Inclusion(seq, 6)) hashes.push_back(HashBase64(h));
    return {{"format", client::kProofBundleFormat}, {"entry", log_.EntryJson(seq)}, {"checkpoint", log_.SignedCheckpoint(6)},
            {"inclusion", {{"index", seq}, {"size", 6}, {"hashes", hashes}}}};
  }
  note::Verifier Key() const { return *note::ParseVerifierKey(log_.verifier_key()); }
};

TEST_F(ProofBundleTest, AnHonestBundleVerifiesForEveryEntry) {
  for (uint64_t seq = 0; seq < 6; ++seq) {
    ASSERT_OK_AND_ASSIGN(Json entry, client::CheckProofBundle(Bundle(seq), Key()));
    EXPECT_EQ(entry, log_.EntryJson(seq));
  }
}

TEST_F(ProofBundleTest, ABadInclusionProofIsRefused) {
  Json b = Bundle(3);
  std::string first = b["inclusion"]["hashes"][0];
  first[0] = first[0] == 'A' ? 'B' : 'A';
  b["inclusion"]["hashes"][0] = first;
  Result<Json> r = client::CheckProofBundle(b, Key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "the entry is not in the signed tree: inclusion proof does not lead to the root");

  // The proof of another entry does not prove this one.
  Json other = Bundle(3);
  other["inclusion"]["hashes"] = Bundle(4)["inclusion"]["hashes"];
  r = client::CheckProofBundle(other, Key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the entry is not in the signed tree: inclusion proof is too short");

  // An entry changed after the proof was made.
  Json changed = Bundle(5);
  changed["entry"]["event"]["body"]["note"] = "另一个撤销理由";
  r = client::CheckProofBundle(changed, Key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the entry is not in the signed tree: inclusion proof does not lead to the root");
}

TEST_F(ProofBundleTest, AProofForAnotherIndexOrSizeOrAnUntrustedCheckpointIsRefused) {
  Json b = Bundle(3);
  b["inclusion"]["index"] = 4;
  Result<Json> r = client::CheckProofBundle(b, Key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "the proof of the entry is for another entry or another tree size");

  b = Bundle(3);
  b["checkpoint"] = SignCheckpoint({log_.origin(), 6, log_.Root(6)}, *PrivateKey::Generate());
  r = client::CheckProofBundle(b, Key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "the checkpoint is not signed by the trusted key: note has no verifiable signatures");

  r = client::CheckProofBundle({{"format", "something-else"}}, Key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "not a PilotLedger proof bundle");
}

// Found by fuzzing (fuzz/corpus/bundle/regress-*): parts of the wrong type threw out of the
// check (pilotctl verify-bundle died), and a redacted entry's type, which no proof covers, could be
// anything. Each is refused with data_loss or invalid_argument.
TEST_F(ProofBundleTest, ABundleWithPartsOfTheWrongTypeIsRefusedNotThrownOn) {
  const auto refused = [&](const Json& b, Code code) {
    Result<Json> r = Status(Code::kInternal, "threw");
    EXPECT_NO_THROW(r = client::CheckProofBundle(b, Key())) << b.dump();
    EXPECT_EQ(r.status().code(), code) << b.dump() << " " << r.status().ToString();
  };
  Json b = Bundle(3);
  b["checkpoint"] = 7;
  refused(b, Code::kInvalidArgument);
  refused(Json::array(), Code::kInvalidArgument);
  refused({{"format", 1}}, Code::kInvalidArgument);
  for (const char* part : {"index", "size"}) {
    b = Bundle(3);
    b["inclusion"][part] = "3";
    refused(b, Code::kDataLoss);
  }
  b = Bundle(3);
  b["inclusion"]["hashes"] = "AAAA";
  refused(b, Code::kDataLoss);
  b = Bundle(3);
  b["inclusion"] = 3;
  refused(b, Code::kDataLoss);
  b = Bundle(3);
  b["entry"] = "an entry";
  refused(b, Code::kDataLoss);

  const Json leaf_hash = HashBase64(merkle::HashLeaf(WriteCanonical(log_.EntryJson(3))));
  const Json redacted = {{"seq", 3}, {"type", "submission.filed"}, {"leaf_hash", leaf_hash}, {"redacted", true}};
  b = Bundle(3);
  b["entry"] = redacted;
  ASSERT_OK(client::CheckProofBundle(b, Key()).status());
  for (const auto& [field, value] : std::vector<std::pair<std::string, Json>>{
           {"type", "no.such.type"}, {"type", "title.revoked"}, {"type", 5}, {"seq", "3"}, {"seq", -1}, {"leaf_hash", 1}, {"redacted", false}}) {
    b["entry"] = redacted;
    b["entry"][field] = value;
    refused(b, Code::kDataLoss);
  }
}

// Found by fuzzing (fuzz/corpus/state_file/regress-*): a state file without a field, or with one
// of the wrong type, threw out of VerifyLedger; a compact range that does not fit the size was
// taken as is. Each is refused with invalid_argument naming the file.
TEST_F(VerifierTest, ADamagedStateFileIsRefusedNotThrownOn) {
  StateFile state;
  VerifyOnce(state);
  const Json good = Json::parse(testing::ReadFile(state.path()));
  std::vector<Json> damaged = {Json::array(), Json("state"), Json::object()};
  for (const char* field : {"size", "compact_range", "checkpoint", "root", "state", "ledger_key"}) {
    Json j = good;
    j.erase(field);
    damaged.push_back(j);
    j[field] = Json::array({1});
    damaged.push_back(j);
  }
  Json j = good;
  j["compact_range"].push_back(j["compact_range"][0]);
  damaged.push_back(j);
  j = good;
  j["size"] = 5;
  damaged.push_back(j);
  for (const Json& d : damaged) {
    {
      std::ofstream out(state.path(), std::ios::trunc);
      out << d.dump();
    }
    CraftedSource source(log_);
    Result<client::VerifyReport> r = Status(Code::kInternal, "threw");
    EXPECT_NO_THROW(r = client::VerifyLedger(source, Options(state.path()))) << d.dump().substr(0, 200);
    // invalid_argument naming the file; data_loss from the projections' own check of "state".
    EXPECT_TRUE(r.status().code() == Code::kInvalidArgument || r.status().code() == Code::kDataLoss) << r.status().ToString();
    if (r.status().code() == Code::kInvalidArgument) {
      EXPECT_NE(r.status().message().find(state.path()), std::string::npos) << r.status().ToString();
    }
    EXPECT_NE(r.status().code(), Code::kInternal) << d.dump().substr(0, 200);
  }
}

// Key rotations (PROTOCOL.md §11): entry 6 rotates the ledger key, the checkpoint of 7 entries is
// signed by the new key, and /v1/ledger-keys lists it. The auditor trusts the genesis key.
class KeyRotationTest : public VerifierTest {
 protected:
  // Serves log_ plus `rotation` at seq 6, the checkpoint signed by `signer`, and lists `listed` as
  // the key from 7 (unless empty).
  void Serve(CraftedSource& source, const SignedEvent& rotation, const PrivateKey& signer, const std::string& listed) {
    std::vector<Json> served = source.entries;
    served.push_back(Json::parse(EntryLeaf(Entry{6, log_.now, rotation})));
    source.ServeAndSign(served, &signer);
    // Honest consistency proofs over the served tree (the builder's stops at 6 entries).
    auto nodes = std::make_shared<std::map<std::pair<int, uint64_t>, Hash>>();
    merkle::CompactRange range;
    for (const Json& e : served) {
      range.Append(merkle::HashLeaf(WriteCanonical(e)), [&](merkle::NodeId id, const Hash& h) { (*nodes)[{int(id.level), id.index}] = h; });
    }
    source.consistency = [nodes](uint64_t from, uint64_t to) {
      const merkle::ProofPlan plan = merkle::ConsistencyPlan(from, to);
      std::vector<Hash> hashes;
      for (const merkle::NodeId& id : plan.ids) hashes.push_back(nodes->at({int(id.level), id.index}));
      return merkle::AssembleProof(plan, hashes);
    };
    Json keys = Json::array({{{"key", log_.verifier_key()}, {"from", 0}}});
    if (!listed.empty()) keys.push_back({{"key", listed}, {"from", 7}, {"rotated_at", 6}});
    source.views["/v1/ledger-keys"] = {{"keys", keys}};
  }
  client::VerifyOptions NoCompare(const std::string& state_file = "") const {
    client::VerifyOptions o = Options(state_file);
    o.compare_projections = false;
    return o;
  }
  std::string Vkey(const PrivateKey& k) const { return note::VerifierKeyString(log_.origin(), k.public_key()); }

  const PrivateKey new_key_ = *PrivateKey::Generate();
};

TEST_F(KeyRotationTest, AnAuditorOfTheGenesisKeyFollowsARotationSignedByBothKeys) {
  StateFile state;
  VerifyOnce(state);  // remembered under the old key
  CraftedSource source(log_);
  ASSERT_OK_AND_ASSIGN(SignedEvent rotation, projections::MakeKeyRotation(1, log_.now, log_.origin(), log_.ledger_key(), new_key_));
  Serve(source, rotation, new_key_, Vkey(new_key_));
  ASSERT_OK_AND_ASSIGN(client::VerifyReport r, client::VerifyLedger(source, NoCompare(state.path())));
  EXPECT_EQ(r.from, 6u);
  EXPECT_EQ(r.size, 7u);
  EXPECT_EQ(r.rotations, 1u);
  EXPECT_EQ(r.ledger_key, Vkey(new_key_));
  EXPECT_EQ(r.signatures, 2u);
  // The state file now trusts the new key too; a fresh auditor of the genesis key also follows.
  EXPECT_TRUE(client::VerifyLedger(source, NoCompare(state.path())).ok());
  ASSERT_OK_AND_ASSIGN(client::VerifyReport fresh, client::VerifyLedger(source, NoCompare()));
  EXPECT_EQ(fresh.rotations, 1u);
  // The old key no longer verifies the checkpoint: without the listed rotation, nothing does.
  source.views.erase("/v1/ledger-keys");
  Result<client::VerifyReport> hidden = client::VerifyLedger(source, NoCompare());
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.status().message(), "the served checkpoint is not signed by the trusted ledger key: note has no verifiable signatures");
}

TEST_F(KeyRotationTest, ARotationSignedOnlyByTheNewKeyIsRefusedNamingItsSeq) {
  ASSERT_OK_AND_ASSIGN(SignedEvent rotation, projections::MakeKeyRotation(1, log_.now, log_.origin(), log_.ledger_key(), new_key_));
  rotation.sigs.erase(rotation.sigs.begin());  // only ledger-key-new's signature is left
  CraftedSource source(log_);
  Serve(source, rotation, new_key_, Vkey(new_key_));
  Result<client::VerifyReport> r = client::VerifyLedger(source, NoCompare());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "entry 6: the key rotation is refused: it is not signed by the old key (ledger-key-old)");
  // Unlisted, the replay refuses the same entry (the checkpoint then signed by the old key).
  CraftedSource unlisted(log_);
  Serve(unlisted, rotation, log_.ledger_key(), "");
  r = client::VerifyLedger(unlisted, NoCompare());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "entry 6: the key rotation is refused: it is not signed by the old key (ledger-key-old)");
}

TEST_F(KeyRotationTest, ARotationFromAnotherKeyIsRefusedNamingItsSeq) {
  const PrivateKey other = *PrivateKey::Generate();
  ASSERT_OK_AND_ASSIGN(SignedEvent rotation, projections::MakeKeyRotation(1, log_.now, log_.origin(), other, new_key_));
  CraftedSource source(log_);
  Serve(source, rotation, new_key_, Vkey(new_key_));
  Result<client::VerifyReport> r = client::VerifyLedger(source, NoCompare());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDataLoss);
  EXPECT_EQ(r.status().message(), "entry 6: the key rotation is refused: its old_key " + Vkey(other) +
                                      " is not the trusted ledger key " + log_.verifier_key());
}

TEST_F(KeyRotationTest, AnHonestRotationUnlistedWithACheckpointByTheOldKeyIsRefused) {
  ASSERT_OK_AND_ASSIGN(SignedEvent rotation, projections::MakeKeyRotation(1, log_.now, log_.origin(), log_.ledger_key(), new_key_));
  CraftedSource source(log_);
  Serve(source, rotation, log_.ledger_key(), "");
  Result<client::VerifyReport> r = client::VerifyLedger(source, NoCompare());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the checkpoint of 7 entries is signed by " + log_.verifier_key() +
                                      ", but the log's key after its rotations is " + Vkey(new_key_));
}

TEST_F(KeyRotationTest, ASubmittedRotationIsForbidden) {
  ASSERT_OK_AND_ASSIGN(SignedEvent rotation, projections::MakeKeyRotation(1, log_.now, log_.origin(), log_.ledger_key(), new_key_));
  const Status s = projections::Check(log_.state, rotation, log_.now);
  EXPECT_EQ(s.code(), Code::kForbidden);
  EXPECT_EQ(s.message(), "ledger.key_rotated is written by pilotledgerd rotate-key, never appended");
}

}  // namespace
}  // namespace pilotledger
