#include "ledger/node_cache.h"

#include <mutex>

namespace pilotledger::ledger {

void NodeCache::Add(const std::vector<std::pair<merkle::NodeId, Hash>>& nodes) {
  std::unique_lock lock(mu_);
  for (const auto& [id, hash] : nodes) {
    if (id.level < kLowestLevel) continue;
    const size_t l = id.level - kLowestLevel;
    if (l >= levels_.size()) {
      levels_.resize(l + 1);
      closed_.resize(l + 1, false);
    }
    if (closed_[l]) continue;
    if (id.index != levels_[l].size()) {
      closed_[l] = true;
      continue;
    }
    levels_[l].push_back(hash);
  }
}

std::vector<size_t> NodeCache::Lookup(const std::vector<merkle::NodeId>& ids, std::vector<Hash>& out) const {
  std::vector<size_t> missing;
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < ids.size(); ++i) {
    const merkle::NodeId& id = ids[i];
    const size_t l = id.level - kLowestLevel;
    if (id.level >= kLowestLevel && l < levels_.size() && id.index < levels_[l].size()) {
      out[i] = levels_[l][id.index];
    } else {
      missing.push_back(i);
    }
  }
  return missing;
}

}  // namespace pilotledger::ledger
