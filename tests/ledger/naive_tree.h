#pragma once

#include <map>
#include <utility>
#include <vector>

#include "ledger/merkle.h"

namespace pilotledger::merkle {

// The RFC 6962 §2.1 definitions, recursively, memoised by range: the reference implementation.
class NaiveTree {
 public:
  explicit NaiveTree(std::vector<Hash> leaves) : leaves_(std::move(leaves)) {}

  Hash Mth(uint64_t begin, uint64_t end) {
    if (begin == end) return EmptyRoot();
    if (end - begin == 1) return leaves_[begin];
    const auto key = std::make_pair(begin, end);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    const uint64_t k = SplitPoint(end - begin);
    return memo_[key] = HashChildren(Mth(begin, begin + k), Mth(begin + k, end));
  }
  // PATH(m, D[begin:end]).
  std::vector<Hash> Path(uint64_t m, uint64_t begin, uint64_t end) {
    if (end - begin == 1) return {};
    const uint64_t k = SplitPoint(end - begin);
    std::vector<Hash> p;
    if (m < k) {
      p = Path(m, begin, begin + k);
      p.push_back(Mth(begin + k, end));
    } else {
      p = Path(m - k, begin + k, end);
      p.push_back(Mth(begin, begin + k));
    }
    return p;
  }
  // SUBPROOF(m, D[begin:end], b).
  std::vector<Hash> Subproof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    const uint64_t n = end - begin;
    if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{Mth(begin, end)};
    const uint64_t k = SplitPoint(n);
    std::vector<Hash> p;
    if (m <= k) {
      p = Subproof(m, begin, begin + k, b);
      p.push_back(Mth(begin + k, end));
    } else {
      p = Subproof(m - k, begin + k, end, false);
      p.push_back(Mth(begin, begin + k));
    }
    return p;
  }

 private:
  static uint64_t SplitPoint(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }
  std::vector<Hash> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, Hash> memo_;
};

}  // namespace pilotledger::merkle
