#include "client/verifier.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "ledger/checkpoint.h"
#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "projections/apply.h"
#include "projections/check.h"
#include "projections/key_rotation.h"
#include "projections/snapshot.h"
#include "projections/views.h"

namespace pilotledger::client {
namespace {

Status Fail(const std::string& what) { return Status(Code::kDataLoss, what); }

// What the auditor remembers between runs.
struct Memory {
  uint64_t size = 0;
  merkle::CompactRange range;
  std::string checkpoint;
  projections::State state;
  // The ledger keys trusted, oldest first: the --ledger-key of the first run, then each rotation.
  std::vector<std::string> keys;
};

Result<Memory> LoadMemory(const std::string& path, const std::string& ledger_key) {
  Memory m;
  m.keys = {ledger_key};
  if (path.empty()) return m;
  std::ifstream in(path, std::ios::binary);
  if (!in) return m;  // the first run
  std::stringstream s;
  s << in.rdbuf();
  PL_ASSIGN_OR_RETURN(Json j, ParseStrictJson(s.str()));
  // Every field checked before it is read: a damaged or foreign file is refused, never thrown on
  // (found by fuzz/state_file_fuzzer.cc).
  const auto bad = [&](const std::string& why) { return Status(Code::kInvalidArgument, path + " is not a verify state file: " + why); };
  const auto has = [&](const char* name, Json::value_t type) {
    return j.contains(name) && (j[name].type() == type || (type == Json::value_t::number_unsigned && j[name].is_number_integer() &&
                                                           j[name].get<int64_t>() >= 0));
  };
  if (!j.is_object()) return bad("not a JSON object");
  if (!has("ledger_key", Json::value_t::string)) return bad("no ledger_key");
  m.keys = {j["ledger_key"].get<std::string>()};
  if (j.contains("keys")) {
    if (!j["keys"].is_array()) return bad("keys is not an array");
    m.keys.clear();
    for (const Json& k : j["keys"]) {
      if (!k.is_string()) return bad("a key in keys is not a string");
      m.keys.push_back(k.get<std::string>());
    }
  }
  if (m.keys.empty() || std::find(m.keys.begin(), m.keys.end(), ledger_key) == m.keys.end()) {
    return Status(Code::kInvalidArgument, path + " remembers another ledger key: " + j["ledger_key"].get<std::string>());
  }
  if (!has("size", Json::value_t::number_unsigned) || !has("compact_range", Json::value_t::array) ||
      !has("checkpoint", Json::value_t::string) || !has("root", Json::value_t::string) || !j.contains("state")) {
    return bad("it needs size, compact_range, checkpoint, root and state");
  }
  m.size = j["size"].get<uint64_t>();
  std::vector<Hash> hashes;
  for (const Json& h : j["compact_range"]) {
    if (!h.is_string()) return bad("a compact_range hash is not a string");
    PL_ASSIGN_OR_RETURN(Hash hash, HashFromBase64(h.get<std::string>()));
    hashes.push_back(hash);
  }
  if (hashes.size() != merkle::RangeNodes(0, m.size).size()) return bad("its compact_range does not fit a tree of its size");
  m.range = merkle::CompactRange(m.size, std::move(hashes));
  if (HashBase64(m.range.Root()) != j["root"]) return bad("its compact_range does not hash to its root");
  m.checkpoint = j["checkpoint"].get<std::string>();
  PL_ASSIGN_OR_RETURN(m.state, projections::StateFromJson(j["state"]));
  if (m.state.size != m.size) return Status(Code::kInvalidArgument, path + " is inconsistent");
  return m;
}

Status SaveMemory(const std::string& path, const Memory& m) {
  if (path.empty()) return Status::Ok();
  Json hashes = Json::array();
  for (const Hash& h : m.range.hashes()) hashes.push_back(HashBase64(h));
  const Json j = {{"format", 1}, {"ledger_key", m.keys.front()}, {"keys", m.keys}, {"size", m.size}, {"root", HashBase64(m.range.Root())},
                  {"checkpoint", m.checkpoint}, {"compact_range", hashes}, {"state", projections::StateToJson(m.state)}};
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << WriteCanonical(j);
    if (!out.flush()) return Status(Code::kInvalidArgument, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status(Code::kInvalidArgument, "cannot write " + path);
  return Status::Ok();
}

class Verifier {
 public:
  explicit Verifier(LedgerSource& c) : c_(c) {}

  // Fetches the latest checkpoint and verifies every entry up to it.
  Status Sync(Memory& m, VerifyReport& report) {
    // The key rotations since the key trusted last, each checked before its key is trusted.
    const size_t known = m.keys.size();
    PL_ASSIGN_OR_RETURN(m.keys, FollowKeyRotations(c_, std::move(m.keys)));
    report.rotations += m.keys.size() - known;
    PL_ASSIGN_OR_RETURN(note::Verifier key, note::ParseVerifierKey(m.keys.back()));
    report.ledger_key = m.keys.back();
    PL_ASSIGN_OR_RETURN(std::string note, c_.SignedCheckpoint());
    Result<Checkpoint> cp = VerifyCheckpoint(note, key);
    if (!cp.ok()) return Fail("the served checkpoint is not signed by the trusted ledger key: " + cp.status().message());
    report.origin = cp->origin;
    if (cp->size < m.size) {
      return Fail("the log was rewritten: it now has " + std::to_string(cp->size) + " entries, fewer than the " +
                  std::to_string(m.size) + " already verified");
    }
    if (m.size > 0) {
      // The new checkpoint must extend the remembered one: a consistency proof from it.
      PL_ASSIGN_OR_RETURN(auto proof, c_.ConsistencyProof(m.size, cp->size));
      if (Status s = merkle::VerifyConsistency(m.size, cp->size, proof, m.range.Root(), cp->root); !s.ok()) {
        return Fail("the log was rewritten or forked: the checkpoint of " + std::to_string(cp->size) +
                    " entries is not an extension of the verified one of " + std::to_string(m.size) + " (" + s.message() + ")");
      }
    }
    // Page by page: first that the leaves served so far are a prefix of the signed log (a
    // consistency proof to the checkpoint, or its root at the end), so that a doctored entry is
    // named by its seq before anything judges its content; then each entry's admission.
    start_ = m.range;
    leaves_.clear();
    merkle::CompactRange served = m.range;
    while (m.size < cp->size) {
      PL_ASSIGN_OR_RETURN(Json page, c_.Entries(m.size, std::min<uint64_t>(1000, cp->size - m.size)));
      if (!page.contains("entries") || page["entries"].empty()) return Fail("the server served no entry " + std::to_string(m.size));
      std::vector<const Json*> entries;
      for (const Json& e : page["entries"]) {
        if (served.size() == cp->size) break;
        if (e.value("redacted", false)) {
          return Status(Code::kUnauthenticated, "entry " + std::to_string(served.size()) +
                                                    " is redacted: verify as an auditor or ministry (pilotctl --as KEY verify)");
        }
        leaves_.push_back(merkle::HashLeaf(WriteCanonical(e)));
        served.Append(leaves_.back(), [](merkle::NodeId, const Hash&) {});
        entries.push_back(&e);
      }
      if (!PrefixHolds(served.size(), served.Root(), *cp)) {
        return Fail("the " + std::to_string(served.size()) + " entries served " +
                    (served.size() == cp->size ? "do not hash to the signed checkpoint's root; " : "so far are not a prefix of the signed log; ") +
                    LocateFirstBadLeaf(m.size, served.size(), *cp));
      }
      for (const Json* e : entries) PL_RETURN_IF_ERROR(VerifyEntry(*e, m, report));
    }
    if (m.state.ledger_key != m.keys.back()) {
      return Fail("the checkpoint of " + std::to_string(cp->size) + " entries is signed by " + m.keys.back() +
                  ", but the log's key after its rotations is " + m.state.ledger_key);
    }
    m.checkpoint = note;
    return Status::Ok();
  }

  // Compares the served unit views and quotas with the replay; `stale` if the server moved on.
  Status Compare(const Memory& m, VerifyReport& report, bool& stale) {
    stale = false;
    report.units = report.campaigns = 0;
    // The units the server lists are exactly the replay's.
    std::vector<std::string> listed;
    for (std::string cursor;;) {
      PL_ASSIGN_OR_RETURN(Json page, c_.GetJson("/v1/units?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor)));
      if (page.value("as_of", uint64_t{0}) != m.size) return Stale(stale);
      for (const Json& u : page["units"]) listed.push_back(u["id"]);
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    std::vector<std::string> replayed;
    for (const auto& [id, u] : m.state.units) replayed.push_back(id);
    if (listed != replayed) return Fail("the server lists " + std::to_string(listed.size()) + " units, the replay " + std::to_string(replayed.size()));
    for (const auto& [id, u] : m.state.units) {
      PL_ASSIGN_OR_RETURN(Json served, c_.GetJson("/v1/units/" + id));
      if (served.value("as_of", uint64_t{0}) != m.size) return Stale(stale);
      Json expected = projections::UnitView(m.state, u, true);
      expected["as_of"] = m.size;
      if (served != expected) return Fail("unit " + id + ": the served status differs from the replay: served " + served.dump() + ", replay " + expected.dump());
      ++report.units;
    }
    for (const auto& [id, c] : m.state.campaigns) {
      PL_ASSIGN_OR_RETURN(Json served, c_.GetJson("/v1/campaigns/" + id + "/quotas"));
      if (served.value("as_of", uint64_t{0}) != m.size) return Stale(stale);
      Json expected = projections::QuotaView(m.state, c);
      expected["as_of"] = m.size;
      if (served != expected) return Fail("campaign " + id + ": the served quota usage differs from the replay");
      ++report.campaigns;
    }
    return Status::Ok();
  }

 private:
  static Status Stale(bool& stale) {
    stale = true;
    return Status::Ok();
  }

  // After the leaves of this run failed the checkpoint's root: the first entry that does not belong
  // to the signed log. A prefix of the served leaves belongs to it if the server proves it with a
  // consistency proof to the checkpoint; bisection finds the shortest prefix that does not.
  // Whether the tree of the first `size` leaves, with `root`, is the signed log's prefix.
  bool PrefixHolds(uint64_t size, const Hash& root, const Checkpoint& cp) {
    if (size == cp.size) return root == cp.root;
    Result<std::vector<Hash>> proof = c_.ConsistencyProof(size, cp.size);
    return proof.ok() && merkle::VerifyConsistency(size, cp.size, *proof, root, cp.root).ok();
  }

  // The first entry in [good, bad) that does not belong to the signed log, where the first `good`
  // leaves are known to be its prefix and the first `bad` are known not to be.
  std::string LocateFirstBadLeaf(uint64_t good, uint64_t bad, const Checkpoint& cp) {
    const auto prefix_holds = [&](uint64_t k) {
      merkle::CompactRange range = start_;
      for (uint64_t i = start_.size(); i < k; ++i) range.Append(leaves_[i - start_.size()], [](merkle::NodeId, const Hash&) {});
      return PrefixHolds(k, range.Root(), cp);
    };
    bool proven = false;
    while (bad - good > 1) {
      const uint64_t mid = good + (bad - good) / 2;
      if (prefix_holds(mid)) {
        good = mid;
        proven = true;
      } else {
        bad = mid;
      }
    }
    if (!proven && good == 0) return "the server's consistency proofs connect no prefix of them to it";
    return "the first that does not belong to it is entry " + std::to_string(bad - 1) +
           (good > 0 ? " (the " + std::to_string(good) + " before it are proven a prefix of the signed log)" : "");
  }

  Status VerifyEntry(const Json& served, Memory& m, VerifyReport& report) {
    const std::string where = "entry " + std::to_string(m.size);
    if (served.value("redacted", false)) {
      return Status(Code::kUnauthenticated, where + " is redacted: verify as an auditor or ministry (pilotctl --as KEY verify)");
    }
    const std::string leaf = WriteCanonical(served);
    Result<Entry> entry = ParseEntryLeaf(leaf);
    if (!entry.ok()) return Fail(where + " is malformed: " + entry.status().message());
    if (entry->seq != m.size) return Fail(where + " is served as seq " + std::to_string(entry->seq) + ": a gap or a reordering");
    if (entry->seq == 0) {
      if (entry->type() != kGenesisType || !entry->signed_event.sigs.empty()) return Fail("entry 0 is not an unsigned ledger.genesis");
      if (Status s = projections::CheckGenesisBody(entry->body()); !s.ok()) return Fail("the genesis entry: " + s.message());
      if (entry->body()["ledger_key"] != m.keys.front()) return Fail("the genesis entry names another ledger key");
    } else if (entry->type() == kKeyRotatedType) {
      if (entry->received < m.state.last_received) return Fail(where + " was received before the entry preceding it");
      Result<std::string> next = projections::CheckKeyRotation(entry->signed_event, m.state.ledger_key);
      if (!next.ok()) return Fail(where + ": the key rotation is refused: " + next.status().message());
      report.signatures += entry->signed_event.sigs.size();
    } else {
      if (entry->received < m.state.last_received) return Fail(where + " was received before the entry preceding it");
      if (Status s = projections::Check(m.state, entry->signed_event, entry->received); !s.ok()) {
        return Fail(where + " (" + entry->type() + " " + entry->signed_event.id + ") should not have been admitted: " + s.ToString());
      }
      report.signatures += entry->signed_event.sigs.size();
    }
    if (Status s = projections::Apply(m.state, *entry); !s.ok()) return Fail(where + ": " + s.message());
    leaves_.push_back(merkle::HashLeaf(leaf));
    m.range.Append(leaves_.back(), [](merkle::NodeId, const Hash&) {});
    ++m.size;
    return Status::Ok();
  }

  LedgerSource& c_;
  merkle::CompactRange start_;  // the verified tree this run starts from
  std::vector<Hash> leaves_;    // the leaf hashes this run appended to it
};

}  // namespace

Json VerifyReport::ToJson() const {
  return {{"origin", origin}, {"from", from}, {"size", size}, {"signatures", signatures}, {"units", units},
          {"campaigns", campaigns}, {"root", root}, {"ledger_key", ledger_key}, {"rotations", rotations},
          {"seconds", std::to_string(seconds)}};
}

namespace {

// A non-negative integer field of `j` (which may be anything); nullopt if it is not one.
std::optional<uint64_t> Count(const Json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_number_integer() || j[name].get<int64_t>() < 0) return std::nullopt;
  return j[name].get<uint64_t>();
}

}  // namespace

// Every part of a bundle is checked before it is read: a bundle file can hold anything, and none
// of it may make the check throw (found by fuzz/bundle_fuzzer.cc).
Status CheckInclusionProof(const Json& inc, uint64_t seq, const Hash& leaf_hash, const Checkpoint& cp, const std::string& what) {
  if (Count(inc, "index") != seq || Count(inc, "size") != cp.size) {
    return Status(Code::kDataLoss, "the proof of " + what + " is for another entry or another tree size");
  }
  if (!inc.contains("hashes") || !inc["hashes"].is_array()) return Status(Code::kDataLoss, "the proof of " + what + " has no hashes");
  std::vector<Hash> hashes;
  for (const Json& h : inc["hashes"]) {
    if (!h.is_string()) return Status(Code::kDataLoss, "the proof of " + what + " has a malformed hash");
    Result<Hash> hash = HashFromBase64(h.get<std::string>());
    if (!hash.ok()) return Status(Code::kDataLoss, "the proof of " + what + " has a malformed hash");
    hashes.push_back(*hash);
  }
  if (Status s = merkle::VerifyInclusion(seq, cp.size, leaf_hash, hashes, cp.root); !s.ok()) {
    return Status(Code::kDataLoss, what + " is not in the signed tree: " + s.message());
  }
  return Status::Ok();
}

Result<Json> CheckProofBundle(const Json& b, const note::Verifier& key) {
  if (!b.is_object() || !b.contains("format") || b["format"] != kProofBundleFormat) {
    return Status(Code::kInvalidArgument, "not a PilotLedger proof bundle");
  }
  if (!b.contains("entry") || !b.contains("checkpoint") || !b.contains("inclusion")) {
    return Status(Code::kInvalidArgument, "the bundle lacks entry, checkpoint or inclusion");
  }
  if (!b["checkpoint"].is_string()) return Status(Code::kInvalidArgument, "the bundle's checkpoint is not a signed note");
  Result<Checkpoint> cp = VerifyCheckpoint(b["checkpoint"].get<std::string>(), key);
  if (!cp.ok()) return Status(Code::kDataLoss, "the checkpoint is not signed by the trusted key: " + cp.status().message());
  const Json& entry = b["entry"];
  if (!entry.is_object()) return Status(Code::kDataLoss, "the entry is malformed: not an object");
  Hash leaf_hash;
  uint64_t seq = 0;
  if (entry.contains("redacted")) {
    // A redacted entry is its leaf hash; its seq is proven by the inclusion proof, but its type is
    // only what the server said: it must at least be a type that is ever redacted.
    const std::optional<uint64_t> s = Count(entry, "seq");
    const EventTypeInfo* type = entry.contains("type") && entry["type"].is_string() ? FindEventType(entry["type"].get<std::string>()) : nullptr;
    if (entry["redacted"] != true || !s || !entry.contains("leaf_hash") || !entry["leaf_hash"].is_string() || !type || type->is_public) {
      return Status(Code::kDataLoss, "the entry is malformed: a redacted entry is {seq, type (of a non-public type), leaf_hash, redacted: true}");
    }
    Result<Hash> h = HashFromBase64(entry["leaf_hash"].get<std::string>());
    if (!h.ok()) return Status(Code::kDataLoss, "the entry is malformed: " + h.status().message());
    leaf_hash = *h;
    seq = *s;
  } else {
    Result<Entry> parsed = EntryFromJson(entry);
    if (!parsed.ok()) return Status(Code::kDataLoss, "the entry is malformed: " + parsed.status().message());
    leaf_hash = merkle::HashLeaf(WriteCanonical(entry));
    seq = parsed->seq;
  }
  PL_RETURN_IF_ERROR(CheckInclusionProof(b["inclusion"], seq, leaf_hash, *cp, "the entry"));
  return entry;
}

Result<VerifyReport> VerifyLedger(LedgerSource& source, const VerifyOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Result<note::Verifier> key = note::ParseVerifierKey(options.ledger_key);
  if (!key.ok()) return Status(Code::kInvalidArgument, "--ledger-key: " + key.status().message());
  PL_ASSIGN_OR_RETURN(Memory memory, LoadMemory(options.state_file, options.ledger_key));
  VerifyReport report;
  report.from = memory.size;
  Verifier v(source);
  for (int round = 0;; ++round) {
    PL_RETURN_IF_ERROR(v.Sync(memory, report));
    bool stale = false;
    if (options.compare_projections) PL_RETURN_IF_ERROR(v.Compare(memory, report, stale));
    if (!stale) break;
    if (round == 5) return Status(Code::kUnavailable, "the ledger kept growing during the comparison; retry when it is quieter");
  }
  report.size = memory.size;
  report.root = HashBase64(memory.range.Root());
  PL_RETURN_IF_ERROR(SaveMemory(options.state_file, memory));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace pilotledger::client
