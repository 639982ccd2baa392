#include "client/tlog_sources.h"

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"

namespace pilotledger::client {

Result<std::string> TilesSource::SignedCheckpoint() {
  PL_ASSIGN_OR_RETURN(HttpResult r, c_.Raw("GET", "/tlog/checkpoint"));
  if (r.status != 200) return StatusFromError(r);
  Result<Checkpoint> cp = ParseCheckpointText(r.body.substr(0, r.body.find("\n\n") + 1));
  if (!cp.ok()) return Status(Code::kDataLoss, "/tlog/checkpoint is not a checkpoint");
  size_ = cp->size;
  return r.body;
}

tiles::Tile TilesSource::TileFor(bool entries, uint8_t level, uint64_t index) const {
  tiles::Tile t{entries, level, index, static_cast<uint32_t>(tiles::kTileWidth)};
  if (!tiles::Complete(t, size_)) t.width = tiles::PartialWidth(level, size_);
  return t;
}

Result<std::string> TilesSource::Fetch(const tiles::Tile& t) {
  const auto key = std::make_tuple(t.entries, t.level, t.index, t.width);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (t.width == 0) return Status(Code::kDataLoss, "no tile " + tiles::Path(t) + " in a log of " + std::to_string(size_));
  PL_ASSIGN_OR_RETURN(HttpResult r, c_.Raw("GET", "/tlog/" + tiles::Path(t)));
  if (r.status != 200) return Status(Code::kDataLoss, "/tlog/" + tiles::Path(t) + " answered " + std::to_string(r.status));
  if (!t.entries && r.body.size() != 32 * size_t(t.width)) {
    return Status(Code::kDataLoss, "/tlog/" + tiles::Path(t) + " has " + std::to_string(r.body.size()) + " bytes, not " +
                                       std::to_string(32 * t.width));
  }
  if (cache_.size() > 64) cache_.clear();
  cache_[key] = r.body;
  return r.body;
}

Result<Hash> TilesSource::Node(uint8_t level, uint64_t index) {
  const uint8_t tile_level = level / 8;
  const unsigned r = level % 8;
  const uint64_t first = index << r, count = uint64_t{1} << r;
  const tiles::Tile t = TileFor(false, tile_level, first / tiles::kTileWidth);
  PL_ASSIGN_OR_RETURN(std::string tile, Fetch(t));
  const uint64_t offset = first % tiles::kTileWidth;
  if ((offset + count) * 32 > tile.size()) return Status(Code::kDataLoss, "tile " + tiles::Path(t) + " lacks a hash it must have");
  std::vector<Hash> hashes(count);
  for (uint64_t i = 0; i < count; ++i) std::copy_n(tile.data() + 32 * (offset + i), 32, hashes[i].begin());
  while (hashes.size() > 1) {
    std::vector<Hash> up;
    for (size_t i = 0; i + 1 < hashes.size(); i += 2) up.push_back(merkle::HashChildren(hashes[i], hashes[i + 1]));
    hashes = std::move(up);
  }
  return hashes[0];
}

Result<std::vector<Hash>> TilesSource::ConsistencyProof(uint64_t from, uint64_t to) {
  if (to > size_ || from > to) return Status(Code::kInvalidArgument, "a consistency proof beyond the checkpoint read");
  const merkle::ProofPlan plan = merkle::ConsistencyPlan(from, to);
  std::vector<Hash> nodes;
  for (const merkle::NodeId& id : plan.ids) {
    PL_ASSIGN_OR_RETURN(Hash h, Node(id.level, id.index));
    nodes.push_back(h);
  }
  return merkle::AssembleProof(plan, nodes);
}

Result<Json> TilesSource::Entries(uint64_t from, uint64_t limit) {
  Json out = {{"entries", Json::array()}};
  if (from >= size_) return out;
  const tiles::Tile t = TileFor(true, 0, from / tiles::kTileWidth);
  PL_ASSIGN_OR_RETURN(std::string bundle, Fetch(t));
  Result<std::vector<std::string>> entries = tiles::DecodeBundle(bundle);
  if (!entries.ok()) return Status(Code::kDataLoss, "/tlog/" + tiles::Path(t) + ": " + entries.status().message());
  if (entries->size() != t.width) return Status(Code::kDataLoss, "/tlog/" + tiles::Path(t) + " does not hold " + std::to_string(t.width) + " entries");
  for (uint64_t i = from % tiles::kTileWidth; i < entries->size() && out["entries"].size() < limit; ++i) {
    Result<Json> e = ParseStrictJson((*entries)[i]);
    if (!e.ok()) return Status(Code::kDataLoss, "entry " + std::to_string(t.index * tiles::kTileWidth + i) + " in its bundle is not JSON");
    if (e->is_object() && e->value("oversize", false)) {
      PL_ASSIGN_OR_RETURN(Json full, c_.Entry(t.index * tiles::kTileWidth + i));
      e = full;
    }
    out["entries"].push_back(*e);
  }
  return out;
}

std::string FindForks(const Checkpoint& cp, LedgerSource& source, const note::Verifier& key, const policy::Policy& policy,
                      const ClientOptions& options) {
  std::string out;
  const std::string origin_hash = HashHex(Sha256(key.name));
  for (const policy::Witness& w : policy.witnesses) {
    if (w.url.empty()) continue;
    std::string base = w.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const auto scheme_end = base.find("://");
    const auto path_start = scheme_end == std::string::npos ? std::string::npos : base.find('/', scheme_end + 3);
    const std::string authority = path_start == std::string::npos ? base : base.substr(0, path_start);
    const std::string prefix = path_start == std::string::npos ? "" : base.substr(path_start);
    Result<std::unique_ptr<HttpClient>> http = HttpClient::Create(authority, options);
    if (!http.ok()) continue;
    Result<HttpResult> r = (*http)->Request("GET", prefix + "/" + origin_hash + "/checkpoint");
    if (!r.ok() || r->status != 200) continue;
    // Only a checkpoint signed by the log and cosigned by this witness proves anything.
    Result<Checkpoint> seen = VerifyCheckpoint(r->body, key);
    Result<cosig::SplitNote> split = cosig::Split(r->body);
    if (!seen.ok() || !split.ok()) continue;
    bool cosigned = false;
    for (const std::string& line : split->lines) {
      std::string name, b64;
      if (cosig::ParseLine(line, name, b64) && name == w.key.name && cosig::Verify(w.key, split->text, b64).ok()) cosigned = true;
    }
    if (!cosigned) continue;
    const std::string what = "FORK: witness " + w.name + " cosigned checkpoint " + std::to_string(seen->size) + " (root " +
                             HashBase64(seen->root) + ") of this log";
    if (seen->size == cp.size && seen->root != cp.root) {
      out += "; " + what + ", and this ledger serves another root for that size (a split view)";
    } else if (seen->size < cp.size && seen->size > 0) {
      Result<std::vector<Hash>> proof = source.ConsistencyProof(seen->size, cp.size);
      if (!proof.ok() || !merkle::VerifyConsistency(seen->size, cp.size, *proof, seen->root, cp.root).ok()) {
        out += "; " + what + ", and this ledger's checkpoint " + std::to_string(cp.size) +
               " is not consistent with it: the ledger has shown another history after it (a split view)";
      }
    } else if (seen->size > cp.size) {
      out += "; " + what + ", more than this ledger's " + std::to_string(cp.size) + " entries: the ledger serves a shorter or another history";
    }
  }
  return out;
}

Result<std::string> WitnessedSource::SignedCheckpoint() {
  PL_ASSIGN_OR_RETURN(std::string note, inner_.SignedCheckpoint());
  Result<policy::Witnessed> w = policy::CheckCheckpoint(note, key_, policy_);
  if (w.ok()) return note;
  if (w.status().code() != Code::kForbidden) return w.status();
  Result<Checkpoint> cp = VerifyCheckpoint(note, key_);
  const std::string forks = cp.ok() ? FindForks(*cp, inner_, key_, policy_, options_) : "";
  return Status(Code::kDataLoss, w.status().message() + forks);
}

}  // namespace pilotledger::client
