#include "ledger/merkle.h"

#include <map>

#include "ledger/encoding.h"
#include "tests/ledger/naive_tree.h"
#include "tests/test_util.h"

namespace pilotledger::merkle {
namespace {

using nlohmann::json;

// A hex string as a 32-byte hash; nullopt for any other length (the wire carries only 32-byte hashes).
std::optional<Hash> HexHash(const std::string& hex) {
  const auto raw = HexDecode(hex);
  if (!raw || raw->size() != 32) return std::nullopt;
  Hash h;
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::optional<std::vector<Hash>> HexProof(const json& proof) {
  std::vector<Hash> out;
  for (const auto& p : proof) {
    const auto h = HexHash(p.get<std::string>());
    if (!h) return std::nullopt;
    out.push_back(*h);
  }
  return out;
}

const json& Vectors() {
  static const json v = testing::TestData("rfc6962_vectors.json");
  return v;
}

std::vector<Hash> VectorLeafHashes() {
  std::vector<Hash> out;
  for (const auto& leaf : Vectors()["leaves"]) out.push_back(HashLeaf(*HexDecode(leaf.get<std::string>())));
  return out;
}

// Stored perfect subtrees, as the log keeps them, filled only by CompactRange::Append.
class NodeStore {
 public:
  void Append(const Hash& leaf) {
    range_.Append(leaf, [&](NodeId id, const Hash& h) { nodes_[{id.level, id.index}] = h; });
  }
  std::vector<Hash> Read(const std::vector<NodeId>& ids) const {
    std::vector<Hash> out;
    for (const NodeId& id : ids) out.push_back(nodes_.at({id.level, id.index}));
    return out;
  }
  std::vector<Hash> Inclusion(uint64_t index, uint64_t size) const {
    const ProofPlan plan = InclusionPlan(index, size);
    return AssembleProof(plan, Read(plan.ids));
  }
  std::vector<Hash> Consistency(uint64_t a, uint64_t b) const {
    const ProofPlan plan = ConsistencyPlan(a, b);
    return AssembleProof(plan, Read(plan.ids));
  }
  Hash Root(uint64_t size) const { return FoldRange(Read(RangeNodes(0, size))); }
  const CompactRange& range() const { return range_; }
  size_t node_count() const { return nodes_.size(); }

 private:
  CompactRange range_;
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
};

TEST(MerkleTest, HasherVectors) {
  const json& h = Vectors()["hasher_vectors"];
  EXPECT_EQ(HashHex(EmptyRoot()), h["empty_root"]);
  for (const auto& v : h["leaf_hashes"]) {
    EXPECT_EQ(HashHex(HashLeaf(*HexDecode(v["input"].get<std::string>()))), v["hash"]);
  }
  for (const auto& v : h["node_hashes"]) {
    // The upstream vector hashes 4-byte children, so build the input directly.
    const std::string input = "\x01" + *HexDecode(v["left"].get<std::string>()) + *HexDecode(v["right"].get<std::string>());
    EXPECT_EQ(HashHex(Sha256(input)), v["hash"]);
  }
}

TEST(MerkleTest, RootsOfTheReferenceTree) {
  NodeStore store;
  const auto leaves = VectorLeafHashes();
  for (const auto& r : Vectors()["roots"]) {
    const uint64_t size = r["tree_size"];
    while (store.range().size() < size) store.Append(leaves[store.range().size()]);
    EXPECT_EQ(HashHex(store.range().Root()), r["root"]) << size;
    EXPECT_EQ(HashHex(store.Root(size)), r["root"]) << size;
  }
}

TEST(MerkleTest, StoredNodesMatchReferenceNodeHashesByLevel) {
  NodeStore store;
  for (const Hash& leaf : VectorLeafHashes()) store.Append(leaf);
  const json& levels = Vectors()["node_hashes_by_level"];
  for (size_t level = 0; level < levels.size(); ++level) {
    for (size_t i = 0; i < levels[level].size(); ++i) {
      EXPECT_EQ(HashHex(store.Read({{uint8_t(level), i}})[0]), levels[level][i]) << level << "/" << i;
    }
  }
}

TEST(MerkleTest, InclusionProofsMatchVectorsAndVerify) {
  NodeStore store;
  for (const Hash& leaf : VectorLeafHashes()) store.Append(leaf);
  for (const auto& v : Vectors()["inclusion_proofs"]) {
    const uint64_t index = v["leaf_index"], size = v["tree_size"];
    const auto expected = HexProof(v["proof"]);
    ASSERT_TRUE(expected.has_value());
    EXPECT_EQ(store.Inclusion(index, size), *expected) << index << "/" << size;
    EXPECT_OK(VerifyInclusion(index, size, *HexHash(v["leaf_hash"]), *expected, *HexHash(v["root"])));
  }
}

TEST(MerkleTest, ConsistencyProofsMatchVectorsAndVerify) {
  NodeStore store;
  for (const Hash& leaf : VectorLeafHashes()) store.Append(leaf);
  for (const auto& v : Vectors()["consistency_proofs"]) {
    const uint64_t a = v["size1"], b = v["size2"];
    const auto expected = HexProof(v["proof"]);
    ASSERT_TRUE(expected.has_value());
    EXPECT_EQ(store.Consistency(a, b), *expected) << a << "/" << b;
    EXPECT_OK(VerifyConsistency(a, b, *expected, *HexHash(v["root1"]), *HexHash(v["root2"])));
  }
}

TEST(MerkleTest, InclusionProbesVerifyExactlyWhenExpected) {
  for (const auto& v : Vectors()["inclusion_probes"]) {
    const auto proof = HexProof(v["proof"]);
    const auto leaf = HexHash(v["leaf_hash"]), root = HexHash(v["root"]);
    const bool valid = proof && leaf && root &&
                       VerifyInclusion(v["leaf_index"], v["tree_size"], *leaf, *proof, *root).ok();
    EXPECT_EQ(valid, v["expect_valid"].get<bool>()) << v["id"];
  }
}

TEST(MerkleTest, ConsistencyProbesVerifyExactlyWhenExpected) {
  for (const auto& v : Vectors()["consistency_probes"]) {
    const auto proof = HexProof(v["proof"]);
    const auto r1 = HexHash(v["root1"]), r2 = HexHash(v["root2"]);
    const bool valid = proof && r1 && r2 && VerifyConsistency(v["size1"], v["size2"], *proof, *r1, *r2).ok();
    EXPECT_EQ(valid, v["expect_valid"].get<bool>()) << v["id"];
  }
}

// Property test: for every size up to 300, the stored-node tree agrees with the recursive
// definitions on roots, every inclusion proof and every consistency proof, and every proof
// verifies (and fails for a wrong leaf or root).
TEST(MerkleTest, MatchesRecursiveDefinitionForEverySizeUpTo300) {
  constexpr uint64_t kMax = 300;
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < kMax; ++i) leaves.push_back(HashLeaf("leaf " + std::to_string(i)));
  NaiveTree naive(leaves);
  NodeStore store;
  std::vector<Hash> roots = {EmptyRoot()};
  for (uint64_t size = 1; size <= kMax; ++size) {
    store.Append(leaves[size - 1]);
    const Hash root = naive.Mth(0, size);
    roots.push_back(root);
    ASSERT_EQ(store.range().Root(), root) << size;
    ASSERT_EQ(store.Root(size), root) << size;
    for (uint64_t i = 0; i < size; ++i) {
      const auto proof = store.Inclusion(i, size);
      ASSERT_EQ(proof, naive.Path(i, 0, size)) << i << "/" << size;
      ASSERT_OK(VerifyInclusion(i, size, leaves[i], proof, root));
      ASSERT_FALSE(VerifyInclusion(i, size, leaves[(i + 1) % kMax], proof, root).ok());
    }
    for (uint64_t m = 0; m <= size; ++m) {
      const auto proof = store.Consistency(m, size);
      const auto expected = (m == 0 || m == size) ? std::vector<Hash>{} : naive.Subproof(m, 0, size, true);
      ASSERT_EQ(proof, expected) << m << "/" << size;
      ASSERT_OK(VerifyConsistency(m, size, proof, roots[m], root));
      if (m > 0 && m < size) {
        ASSERT_FALSE(VerifyConsistency(m, size, proof, roots[m - 1], root).ok()) << m << "/" << size;
      }
    }
  }
  // Amortised two stored nodes per leaf: 2n - popcount(n).
  EXPECT_EQ(store.node_count(), 2 * kMax - std::popcount(kMax));
}

TEST(MerkleTest, ProofPlansReadLogarithmicallyManyNodes) {
  // Any proof in a tree of 2^40 + 12345 leaves reads at most 2 * 41 nodes.
  const uint64_t size = (uint64_t{1} << 40) + 12345;
  for (uint64_t index : {uint64_t{0}, uint64_t{1}, size / 2, size - 2, size - 1}) {
    EXPECT_LE(InclusionPlan(index, size).ids.size(), 82u) << index;
    EXPECT_LE(ConsistencyPlan(index + 1, size).ids.size(), 82u) << index;
  }
  EXPECT_LE(RangeNodes(0, size).size(), 41u);
}

}  // namespace
}  // namespace pilotledger::merkle
