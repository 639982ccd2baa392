#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

// The RFC 9162 §2.1 Merkle tree over SHA-256: hashes, proof verification, and the node arithmetic
// that lets the log keep only perfect subtrees on disk and still serve any proof in O(log n) reads.
namespace pilotledger::merkle {

// SHA-256(0x00 || leaf).
Hash HashLeaf(std::string_view leaf);
// SHA-256(0x01 || left || right).
Hash HashChildren(const Hash& left, const Hash& right);
// The root of the empty tree, SHA-256("").
Hash EmptyRoot();

// A perfect subtree: the 2^level leaves starting at index * 2^level. Level 0 nodes are leaf hashes.
struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;
  bool operator==(const NodeId&) const = default;
};

// The perfect subtrees that exactly cover leaves [begin, end), left to right.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

// The root of a tree whose leaves are covered by the perfect subtrees with `hashes`, left to right,
// in strictly decreasing sizes (as RangeNodes(0, n) or an aligned right border). EmptyRoot() if none.
Hash FoldRange(const std::vector<Hash>& hashes);

// Which stored nodes make up a proof: ids[ephem_begin, ephem_end) fold (FoldRange) into one proof
// element, every other id is a proof element itself, in order.
struct ProofPlan {
  std::vector<NodeId> ids;
  size_t ephem_begin = 0;
  size_t ephem_end = 0;
};
// REQUIRES: index < size.
ProofPlan InclusionPlan(uint64_t index, uint64_t size);
// REQUIRES: size1 <= size2.
ProofPlan ConsistencyPlan(uint64_t size1, uint64_t size2);
// The proof hashes from the node hashes of plan.ids (same order).
std::vector<Hash> AssembleProof(const ProofPlan& plan, const std::vector<Hash>& node_hashes);

// RFC 9162 §2.1.3.2. Errors: kInvalidArgument naming the failure.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root);
// RFC 9162 §2.1.4.2 (plus: equal sizes need an empty proof and equal roots; size1 = 0 is
// consistent with anything given an empty proof). Errors: kInvalidArgument.
Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Hash>& proof,
                         const Hash& root1, const Hash& root2);

// The right border of a growing tree: the hashes of RangeNodes(0, size). Appending reports each
// perfect subtree it completes, so a store can keep exactly those. Not thread-safe.
class CompactRange {
 public:
  CompactRange() = default;
  // REQUIRES: hashes are those of RangeNodes(0, size).
  CompactRange(uint64_t size, std::vector<Hash> hashes) : size_(size), hashes_(std::move(hashes)) {}

  // Adds leaf `size()`; calls `completed` for the leaf node and each node it completes.
  void Append(const Hash& leaf_hash, const std::function<void(NodeId, const Hash&)>& completed);
  Hash Root() const { return FoldRange(hashes_); }
  uint64_t size() const { return size_; }
  const std::vector<Hash>& hashes() const { return hashes_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

}  // namespace pilotledger::merkle
