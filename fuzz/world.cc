#include "fuzz/world.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/note.h"
#include "projections/apply.h"
#include "projections/check.h"
#include "projections/policy.h"

#ifndef PILOT_SOURCE_DIR
#error "PILOT_SOURCE_DIR must name the source tree (the campaign rule files)"
#endif

namespace pilotledger::fuzz {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz world: %s\n", what.c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().ToString());
  return std::move(*r);
}

PrivateKey KeyFor(const std::string& label) {
  const Hash seed = Sha256("pilotledger fuzz: " + label);
  return Must(PrivateKey::FromSeed(std::string(reinterpret_cast<const char*>(seed.data()), seed.size())), "key " + label);
}

Timestamp At(const std::string& t) { return Must(ParseRfc3339(t), t); }

Json ReadRules(const std::string& campaign) {
  std::ifstream in(std::string(PILOT_SOURCE_DIR) + "/config/campaigns/" + campaign + ".json");
  std::stringstream s;
  s << in.rdbuf();
  return Must(ParseStrictJson(s.str()), "config/campaigns/" + campaign + ".json");
}

Json Descriptor(const World& w, const std::string& id, const std::string& role, Json extra = Json::object()) {
  Json d = {{"actor", id}, {"role", role}, {"name", "Actor " + id}, {"public_key", w.keys.at(id).public_key().ToBase64()}};
  d.update(extra);
  return d;
}

World Build() {
  World w;
  w.ledger_key = KeyFor("ledger");
  w.verifier_key = note::VerifierKeyString(w.origin, w.ledger_key.public_key());
  for (const char* id : {"miit", "mca", "nhc", "expert-1", "gd-miit", "auditor-1"}) w.keys.emplace(id, KeyFor(id));
  w.authorities = Json::array();
  for (const char* d : {"miit", "mca", "nhc"}) w.authorities.push_back(Descriptor(w, d, "ministry", {{"department", d}}));
  w.policy = projections::DefaultPolicyJson();
  const Json genesis_body = {{"origin", w.origin}, {"ledger_key", w.verifier_key}, {"authorities", w.authorities}, {"policy", w.policy}};
  if (Status s = projections::CheckGenesisBody(genesis_body); !s.ok()) Die("genesis: " + s.ToString());
  Timestamp t = At("2023-10-15T08:00:00Z");
  const Entry genesis{0, t, Must(MakeEvent("genesis", std::string(kGenesisType), t, genesis_body), "genesis")};
  if (Status s = projections::Apply(w.state, genesis); !s.ok()) Die("genesis: " + s.ToString());
  w.entries.push_back(genesis);

  struct Planned {
    std::string type;
    Json body;
    std::vector<std::string> signers;
  };
  const std::vector<Planned> plan = {
      {"actor.registered", Descriptor(w, "expert-1", "expert"), {"miit"}},
      {"actor.registered", Descriptor(w, "gd-miit", "provincial", {{"region", "440000"}, {"department", "miit"}}), {"miit"}},
      {"actor.registered", Descriptor(w, "auditor-1", "auditor"), {"miit"}},
      {"campaign.opened", {{"campaign", "2017"}, {"rules", ReadRules("2017")}}, {"miit", "mca", "nhc"}},
      {"campaign.opened", {{"campaign", "2018"}, {"rules", ReadRules("2018")}}, {"miit", "mca", "nhc"}},
      {"campaign.opened", {{"campaign", "2019"}, {"rules", ReadRules("2019")}}, {"miit", "mca", "nhc"}},
      {"campaign.opened", {{"campaign", "2023"}, {"rules", ReadRules("2023")}}, {"miit", "mca", "nhc"}},
  };
  int n = 0;
  for (const Planned& p : plan) {
    t.ms += 60'000;
    SignedEvent e = Must(MakeEvent("fuzz-world-" + std::to_string(++n), p.type, t, p.body), p.type);
    for (const std::string& s : p.signers) e.sigs.push_back({s, std::string(64, '\0'), std::nullopt});
    w.Resign(e);
    if (Status s = projections::Check(w.state, e, t); !s.ok()) Die(p.type + ": " + s.ToString());
    const Entry entry{w.state.size, t, e};
    if (Status s = projections::Apply(w.state, entry); !s.ok()) Die(p.type + ": " + s.ToString());
    w.events.push_back(e);
    w.entries.push_back(entry);
  }
  w.now = At("2023-10-20T00:00:00Z");
  merkle::CompactRange range;
  for (const Entry& e : w.entries) {
    range.Append(merkle::HashLeaf(EntryLeaf(e)), [&](merkle::NodeId id, const Hash& h) { w.nodes[{id.level, id.index}] = h; });
  }
  return w;
}

}  // namespace

void World::Resign(SignedEvent& event) const {
  const std::string input = SigningInput(event.canonical);
  for (Signature& sig : event.sigs) {
    const auto it = keys.find(sig.signer);
    if (it != keys.end()) sig.sig = it->second.Sign(input);
    sig.verified_key.reset();
  }
}

std::string World::ReadSignature(const std::string& actor, const std::string& method, const std::string& target,
                                 const std::string& time) const {
  const auto it = keys.find(actor);
  if (it == keys.end()) return "";
  return Base64Encode(it->second.Sign("pilotledger:read:v1\n" + method + " " + target + "\n" + time));
}

namespace {
std::vector<Hash> Nodes(const World& w, const std::vector<merkle::NodeId>& ids) {
  std::vector<Hash> out;
  for (const merkle::NodeId& id : ids) out.push_back(w.nodes.at({id.level, id.index}));
  return out;
}
}  // namespace

std::vector<Hash> World::Inclusion(uint64_t index, uint64_t size) const {
  const merkle::ProofPlan plan = merkle::InclusionPlan(index, size);
  return merkle::AssembleProof(plan, Nodes(*this, plan.ids));
}
std::vector<Hash> World::Consistency(uint64_t from, uint64_t to) const {
  const merkle::ProofPlan plan = merkle::ConsistencyPlan(from, to);
  return merkle::AssembleProof(plan, Nodes(*this, plan.ids));
}
Hash World::Root(uint64_t size) const { return merkle::FoldRange(Nodes(*this, merkle::RangeNodes(0, size))); }
std::string World::SignedCheckpoint(uint64_t size) const { return SignCheckpoint({origin, size, Root(size)}, ledger_key); }
Json World::EntryJson(uint64_t seq) const { return Must(ParseStrictJson(EntryLeaf(entries.at(seq))), "entry"); }

const World& TheWorld() {
  static const World w = Build();
  return w;
}

}  // namespace pilotledger::fuzz
