#include "ledger/merkle.h"

#include <algorithm>
#include <bit>

namespace pilotledger::merkle {
namespace {

Status Mismatch(const char* what) { return Status(Code::kInvalidArgument, what); }

// The nodes proving that (level, index) is in the tree of `size` leaves, starting with the node.
ProofPlan PlanNodes(uint64_t index, unsigned level, uint64_t size) {
  // The fork is where the path to (level, index) leaves the path to the tree's right border; its
  // sibling is the only node of the proof that may be incomplete (ephemeral).
  const unsigned inner = static_cast<unsigned>(std::bit_width(index ^ (size >> level))) - 1;
  const unsigned fork_level = level + inner;
  const uint64_t begin = (index >> inner) << fork_level;
  const uint64_t end = begin + (uint64_t{1} << fork_level);

  ProofPlan plan;
  plan.ids.push_back({static_cast<uint8_t>(level), index});
  for (unsigned h = 0; h < inner; ++h) {
    plan.ids.push_back({static_cast<uint8_t>(level + h), (index >> h) ^ 1});
  }
  plan.ephem_begin = plan.ids.size();
  if (end < size) {
    const auto right = RangeNodes(end, size);
    plan.ids.insert(plan.ids.end(), right.begin(), right.end());
  }
  plan.ephem_end = plan.ids.size();
  auto left = RangeNodes(0, begin);
  plan.ids.insert(plan.ids.end(), left.rbegin(), left.rend());
  return plan;
}

ProofPlan SkipFirst(ProofPlan plan) {
  plan.ids.erase(plan.ids.begin());
  plan.ephem_begin -= 1;
  plan.ephem_end -= 1;
  return plan;
}

}  // namespace

Hash HashLeaf(std::string_view leaf) { return Sha256Parts({std::string_view("\x00", 1), leaf}); }

Hash HashChildren(const Hash& left, const Hash& right) {
  return Sha256Parts({std::string_view("\x01", 1), AsBytes(left), AsBytes(right)});
}

Hash EmptyRoot() { return Sha256(""); }

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> ids;
  if (begin >= end) return ids;
  uint64_t left = 0, right = end;
  if (begin != 0) {
    // Paths to leaves begin-1 and end diverge at bit d; only nodes below it are in the range.
    const uint64_t xbegin = begin - 1;
    const unsigned d = static_cast<unsigned>(std::bit_width(xbegin ^ end)) - 1;
    const uint64_t mask = (uint64_t{1} << d) - 1;
    left = ~xbegin & mask;
    right = end & mask;
  }
  uint64_t pos = begin;
  while (left != 0) {  // the left border, lower levels first
    const unsigned level = static_cast<unsigned>(std::countr_zero(left));
    ids.push_back({static_cast<uint8_t>(level), pos >> level});
    pos += uint64_t{1} << level;
    left ^= uint64_t{1} << level;
  }
  while (right != 0) {  // the right border, upper levels first
    const unsigned level = static_cast<unsigned>(std::bit_width(right)) - 1;
    ids.push_back({static_cast<uint8_t>(level), pos >> level});
    pos += uint64_t{1} << level;
    right ^= uint64_t{1} << level;
  }
  return ids;
}

Hash FoldRange(const std::vector<Hash>& hashes) {
  if (hashes.empty()) return EmptyRoot();
  Hash h = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) h = HashChildren(hashes[i], h);
  return h;
}

ProofPlan InclusionPlan(uint64_t index, uint64_t size) { return SkipFirst(PlanNodes(index, 0, size)); }

ProofPlan ConsistencyPlan(uint64_t size1, uint64_t size2) {
  if (size1 == 0 || size1 >= size2) return {};
  // The largest perfect subtree ending at size1, and its inclusion proof in the tree of size2.
  const unsigned level = static_cast<unsigned>(std::countr_zero(size1));
  const uint64_t index = (size1 - 1) >> level;
  ProofPlan plan = PlanNodes(index, level, size2);
  // When size1 is a power of two, that subtree is the old root, which the verifier already has.
  return index == 0 ? SkipFirst(std::move(plan)) : plan;
}

std::vector<Hash> AssembleProof(const ProofPlan& plan, const std::vector<Hash>& node_hashes) {
  std::vector<Hash> proof(node_hashes.begin(), node_hashes.begin() + plan.ephem_begin);
  if (plan.ephem_end > plan.ephem_begin) {
    proof.push_back(FoldRange(std::vector<Hash>(node_hashes.begin() + plan.ephem_begin,
                                                node_hashes.begin() + plan.ephem_end)));
  }
  proof.insert(proof.end(), node_hashes.begin() + plan.ephem_end, node_hashes.end());
  return proof;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return Mismatch("leaf index is not below the tree size");
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Mismatch("inclusion proof is too long");
    if ((fn & 1) || fn == sn) {
      r = HashChildren(p, r);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Mismatch("inclusion proof is too short");
  if (r != root) return Mismatch("inclusion proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Hash>& proof,
                         const Hash& root1, const Hash& root2) {
  if (size1 > size2) return Mismatch("the first tree is larger than the second");
  if (size1 == size2) {
    if (!proof.empty()) return Mismatch("a proof between equal sizes must be empty");
    if (root1 != root2) return Mismatch("different roots for the same size");
    return Status::Ok();
  }
  if (size1 == 0) {
    if (!proof.empty()) return Mismatch("a proof from the empty tree must be empty");
    return Status::Ok();
  }
  if (proof.empty()) return Mismatch("consistency proof is empty");
  std::vector<Hash> path;
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Mismatch("consistency proof is too long");
    if ((fn & 1) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Mismatch("consistency proof is too short");
  if (fr != root1) return Mismatch("consistency proof does not lead to the first root");
  if (sr != root2) return Mismatch("consistency proof does not lead to the second root");
  return Status::Ok();
}

void CompactRange::Append(const Hash& leaf_hash,
                          const std::function<void(NodeId, const Hash&)>& completed) {
  const uint64_t index = size_;
  completed({0, index}, leaf_hash);
  hashes_.push_back(leaf_hash);
  // Each trailing one bit of the old size is a subtree the new leaf completes.
  for (unsigned level = 0; (index >> level) & 1; ++level) {
    const Hash right = hashes_.back();
    hashes_.pop_back();
    hashes_.back() = HashChildren(hashes_.back(), right);
    completed({static_cast<uint8_t>(level + 1), index >> (level + 1)}, hashes_.back());
  }
  ++size_;
}

}  // namespace pilotledger::merkle
