#pragma once

#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/merkle.h"

namespace pilotledger::ledger {

// The hashes of the tree's perfect subtrees of 2^kLowestLevel leaves and more, in memory (one hash
// per 2^kLowestLevel leaves at the lowest level, ~N/32 hashes in all: 10 MB at 10^7 entries), so
// that a proof reads at most one range of leaf hashes from the store, not one node per level
// (docs/performance.md, (d)). Each level holds a prefix of its nodes, index 0 up. Thread-safe:
// one writer (the Log's appender) and any number of readers.
class NodeCache {
 public:
  static constexpr uint8_t kLowestLevel = 6;

  // Adds the nodes (any level; those below kLowestLevel are left out). A node that is not the next
  // of its level's prefix is left out too, and so is every later one of that level: what is cached
  // is always a gap-free prefix, and the rest is read from the store.
  void Add(const std::vector<std::pair<merkle::NodeId, Hash>>& nodes);
  // Sets `out[i]` for each ids[i] that is cached and returns the positions of those that are not.
  std::vector<size_t> Lookup(const std::vector<merkle::NodeId>& ids, std::vector<Hash>& out) const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::vector<Hash>> levels_;  // levels_[level - kLowestLevel][index]
  std::vector<bool> closed_;               // a level whose prefix ended at a gap
};

}  // namespace pilotledger::ledger
