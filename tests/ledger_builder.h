// The one builder of ledgers and events for tests (header-only; ledger/ and projections/ only):
// valid credit codes, the real campaign rule files, actors' keys, actor descriptors, signed events
// and, in memory, a whole log from its genesis (entries admitted with projections::Check and
// applied with projections::Apply), with the ledger's own key to sign its checkpoints.
// tests/projections/fixture.h builds the domain helpers on `LogBuilder`; tests/e2e/e2e_util.h
// signs the events it sends to a real server with `KeyRing` and `SignEvent`; tests/client/ crafts
// served logs from a `LogBuilder`.
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/timestamp.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/check.h"
#include "projections/policy.h"
#include "projections/uscc.h"
#include "tests/test_util.h"

namespace pilotledger::testing {

// A valid unified social credit code: `prefix` (registration authority and kind, "91" an enterprise,
// "11" an organ of government) + `region` + a 9-digit `serial` + its check character.
inline std::string Uscc(const std::string& region, int serial, const std::string& prefix = "91") {
  char org[16];
  std::snprintf(org, sizeof org, "%09d", serial);
  const std::string first17 = prefix + region + org;
  return first17 + projections::UsccCheckCharacter(first17);
}
// `code` with another (wrong) check character.
inline std::string WithWrongCheck(const std::string& code) {
  std::string bad = code;
  bad.back() = code.back() == '0' ? '1' : '0';
  return bad;
}

// The real rule file config/campaigns/<campaign>.json.
inline Json CampaignRules(const std::string& campaign) {
  return Json::parse(ReadFile(std::string(PILOT_SOURCE_DIR) + "/config/campaigns/" + campaign + ".json"));
}

// Actors' private keys by id.
class KeyRing {
 public:
  // The key of `id`, generated on first use (so an unregistered id signs as an unknown signer).
  const PrivateKey& Key(const std::string& id) {
    auto it = keys_.find(id);
    return it != keys_.end() ? it->second : NewKey(id);
  }
  // A fresh key for `id`, replacing any it had.
  const PrivateKey& NewKey(const std::string& id) {
    Result<PrivateKey> k = PrivateKey::Generate();
    EXPECT_TRUE(k.ok());
    return keys_.insert_or_assign(id, *k).first->second;
  }
  // REQUIRES: `id` has a key.
  const PrivateKey& Existing(const std::string& id) const { return keys_.at(id); }

 private:
  std::map<std::string, PrivateKey> keys_;
};

// An actor descriptor (an actor.registered body, or a genesis authority): `extra` adds department,
// region, unit.
inline Json ActorDescriptor(const std::string& actor, const std::string& role, const std::string& name, const PublicKey& key,
                            const Json& extra = Json::object()) {
  Json d = {{"actor", actor}, {"role", role}, {"name", name}, {"public_key", key.ToBase64()}};
  d.update(extra);
  return d;
}

// Adds `signer`'s signature over the event's signing input (PROTOCOL.md §2).
inline void AddSignature(SignedEvent& e, const std::string& signer, const PrivateKey& key) {
  e.sigs.push_back(Signature{signer, key.Sign(SigningInput(e.canonical)), std::nullopt});
}
// An event of `type` with `body` at `time`, signed by each of `signers` with its key in `keys`.
inline SignedEvent SignEvent(const KeyRing& keys, const std::string& id, const std::string& type, Timestamp time, Json body,
                             const std::vector<std::string>& signers) {
  Result<SignedEvent> e = MakeEvent(id, type, time, std::move(body));
  EXPECT_TRUE(e.ok()) << id << ": " << e.status().ToString();
  if (!e.ok()) return SignedEvent{};
  for (const std::string& s : signers) AddSignature(*e, s, keys.Existing(s));
  return *e;
}

// A log in memory from its genesis with the ministries miit, mca and nhc: events are admitted by
// projections::Check at the ledger clock `now` and applied, as the server's admission does; the
// entries, their Merkle tree and checkpoints signed by the ledger key are what a server would serve.
class LogBuilder {
 public:
  // Genesis at `start` (2023-10-15T08:00:00Z by default).
  explicit LogBuilder(Timestamp start = Timestamp{1697356800000}, const Json& policy = projections::DefaultPolicyJson(),
                      const std::string& origin = "example.org/pilotledger-test")
      : now(start), origin_(origin), ledger_key_(*PrivateKey::Generate()) {
    Json authorities = Json::array();
    for (const std::string& d : Ministries()) {
      authorities.push_back(ActorDescriptor(d, "ministry", "Ministry " + d, Key(d).public_key(), {{"department", d}}));
    }
    const Json body = {{"origin", origin_}, {"ledger_key", verifier_key()}, {"authorities", authorities}, {"policy", policy}};
    EXPECT_OK(projections::CheckGenesisBody(body));
    Result<SignedEvent> genesis = MakeEvent("genesis", std::string(kGenesisType), now, body);
    EXPECT_TRUE(genesis.ok()) << genesis.status().ToString();
    const Entry entry{0, now, *genesis};
    EXPECT_OK(projections::Apply(state, entry));
    Record(entry);
  }

  projections::State state;
  std::vector<Entry> entries;
  Timestamp now;  // the ledger clock: what Check judges deadlines by and Apply records

  static std::vector<std::string> Ministries() { return {"miit", "mca", "nhc"}; }

  const PrivateKey& Key(const std::string& id) { return keys_.Key(id); }
  KeyRing& keys() { return keys_; }

  // An event signed by `signers` (each with its key, generated on first use) at the ledger clock.
  SignedEvent Make(const std::string& type, Json body, const std::vector<std::string>& signers) {
    for (const std::string& s : signers) Key(s);
    return SignEvent(keys_, "ev-" + std::to_string(next_event_++), type, now, std::move(body), signers);
  }
  // Check only: the state is unchanged.
  Status Try(const SignedEvent& e) { return projections::Check(state, e, now); }
  Status Try(const std::string& type, Json body, const std::vector<std::string>& signers) {
    return Try(Make(type, std::move(body), signers));
  }
  // Check, and Apply if accepted: the Check status.
  Status Append(const SignedEvent& e) {
    projections::Body parsed;
    Status s = projections::Check(state, e, now, &parsed);
    if (!s.ok()) return s;
    const Entry entry{state.size, now, e};
    Status applied = projections::Apply(state, entry, &parsed);
    EXPECT_OK(applied);
    Record(entry);
    return applied;
  }
  Status Append(const std::string& type, Json body, const std::vector<std::string>& signers) {
    return Append(Make(type, std::move(body), signers));
  }
  uint64_t last_seq() const { return state.size - 1; }

  // --- what a server serves ---
  const std::string& origin() const { return origin_; }
  // The ledger's verifier key, as `pilotledgerd init` prints it and auditors trust it.
  std::string verifier_key() const { return note::VerifierKeyString(origin_, ledger_key_.public_key()); }
  const PrivateKey& ledger_key() const { return ledger_key_; }
  // Entry `seq` as GET /v1/entries serves it to an auditor: canonical(entry JSON) is its leaf.
  Json EntryJson(uint64_t seq) const { return Json::parse(EntryLeaf(entries.at(seq))); }
  std::vector<Hash> Inclusion(uint64_t index, uint64_t size) const {
    const merkle::ProofPlan plan = merkle::InclusionPlan(index, size);
    return merkle::AssembleProof(plan, Nodes(plan.ids));
  }
  std::vector<Hash> Consistency(uint64_t from, uint64_t to) const {
    const merkle::ProofPlan plan = merkle::ConsistencyPlan(from, to);
    return merkle::AssembleProof(plan, Nodes(plan.ids));
  }
  Hash Root(uint64_t size) const { return merkle::FoldRange(Nodes(merkle::RangeNodes(0, size))); }
  // The checkpoint of the first `size` entries, signed by the ledger key.
  std::string SignedCheckpoint(uint64_t size) const { return SignCheckpoint({origin_, size, Root(size)}, ledger_key_); }

 private:
  void Record(const Entry& entry) {
    entries.push_back(entry);
    range_.Append(merkle::HashLeaf(EntryLeaf(entry)), [&](merkle::NodeId id, const Hash& h) { nodes_[{id.level, id.index}] = h; });
  }
  std::vector<Hash> Nodes(const std::vector<merkle::NodeId>& ids) const {
    std::vector<Hash> out;
    for (const merkle::NodeId& id : ids) out.push_back(nodes_.at({id.level, id.index}));
    return out;
  }

  std::string origin_;
  PrivateKey ledger_key_;
  KeyRing keys_;
  int next_event_ = 0;
  merkle::CompactRange range_;
  std::map<std::pair<uint8_t, uint64_t>, Hash> nodes_;
};

}  // namespace pilotledger::testing
