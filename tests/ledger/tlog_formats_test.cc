// The C2SP formats: tile paths and widths (tlog-tiles), entry bundles, cosignatures
// (tlog-cosignature), policies and quorums (tlog-policy), and tlog-proof files.
#include <gtest/gtest.h>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"
#include "ledger/tiles.h"
#include "ledger/tlog_policy.h"
#include "ledger/tlog_proof.h"

namespace pilotledger {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string::npos) return out;
    start = slash + 1;
  }
}

TEST(TilesTest, PathsAsTheSpecWritesThem) {
  EXPECT_EQ(tiles::Path({false, 0, 1234067, 256}), "tile/0/x001/x234/067");
  EXPECT_EQ(tiles::Path({false, 2, 5, 17}), "tile/2/005.p/17");
  EXPECT_EQ(tiles::Path({true, 0, 0, 1}), "tile/entries/000.p/1");
  for (const tiles::Tile& t : {tiles::Tile{false, 0, 1234067, 256}, tiles::Tile{false, 63, 0, 255}, tiles::Tile{true, 0, 1000, 3}}) {
    const std::vector<std::string> seg = Split(tiles::Path(t));
    Result<tiles::Tile> back = tiles::ParsePath(std::vector<std::string>(seg.begin() + 1, seg.end()));
    ASSERT_TRUE(back.ok()) << tiles::Path(t);
    EXPECT_EQ(*back, t);
  }
  for (const std::string bad : {"0/x000/067", "0/1", "0/0067", "00/067", "64/000", "0/067.p/256", "0/067.p/0", "0/067.p/01",
                                "0/x1/067", "entries/067.p", "0/067/x001", "-1/000"}) {
    EXPECT_FALSE(tiles::ParsePath(Split(bad)).ok()) << bad;
  }
}

TEST(TilesTest, WidthsOfTheSpecsExampleTree) {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0 tile
  // of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial
  // level 2 tile of width 1."
  EXPECT_EQ(tiles::PartialWidth(0, 70000), 112u);
  EXPECT_EQ(tiles::PartialWidth(1, 70000), 17u);
  EXPECT_EQ(tiles::PartialWidth(2, 70000), 1u);
  EXPECT_TRUE(tiles::Complete({false, 0, 272, 256}, 70000));
  EXPECT_FALSE(tiles::Complete({false, 0, 273, 256}, 70000));
  EXPECT_TRUE(tiles::Complete({false, 0, 273, 112}, 70000));
  EXPECT_FALSE(tiles::Complete({false, 0, 273, 113}, 70000));
  EXPECT_TRUE(tiles::Complete({false, 1, 0, 256}, 70000));
  EXPECT_TRUE(tiles::Complete({false, 1, 1, 17}, 70000));
  EXPECT_FALSE(tiles::Complete({false, 1, 1, 18}, 70000));
  EXPECT_TRUE(tiles::Complete({false, 2, 0, 1}, 70000));
  EXPECT_FALSE(tiles::Complete({false, 3, 0, 1}, 70000));
  EXPECT_EQ(tiles::PartialWidth(1, 256), 1u);  // "a tree of size 256 … a partial level 1 tile of width 1"
}

TEST(TilesTest, BundlesAreUint16LengthPrefixed) {
  const std::string bundle = tiles::EncodeBundle({"ab", "", std::string(300, 'x')});
  EXPECT_EQ(bundle.substr(0, 4), std::string("\x00\x02" "ab", 4));
  EXPECT_EQ(bundle.substr(4, 2), std::string("\x00\x00", 2));
  EXPECT_EQ(bundle.substr(6, 2), std::string("\x01\x2c", 2));
  Result<std::vector<std::string>> back = tiles::DecodeBundle(bundle);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[2], std::string(300, 'x'));
  EXPECT_FALSE(tiles::DecodeBundle(bundle.substr(0, bundle.size() - 1)).ok());
}

TEST(CosignatureTest, SignsTheCosignatureV1MessageAndVerifies) {
  const PrivateKey key = *PrivateKey::Generate();
  const std::string vkey = cosig::VerifierKeyString("witness.example/w1", key.public_key());
  Result<cosig::Cosigner> c = cosig::ParseVerifierKey(vkey);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // The key id hashes the type byte 0x04, so the same key makes another id as a checkpoint key.
  EXPECT_NE(c->key_id, note::KeyId("witness.example/w1", key.public_key()));
  EXPECT_FALSE(note::ParseVerifierKey(vkey).ok());
  EXPECT_EQ(cosig::SignedMessage("o\n1\nR\n", 1679315147), "cosignature/v1\ntime 1679315147\no\n1\nR\n");
  const cosig::Signer signer{"witness.example/w1", key};
  const std::string text = "example.com/log\n3\n" + HashBase64(merkle::EmptyRoot()) + "\n";
  const std::string line = cosig::Cosign(text, 1679315147, signer);
  std::string name, b64;
  ASSERT_TRUE(cosig::ParseLine(line, name, b64));
  EXPECT_EQ(name, "witness.example/w1");
  Result<uint64_t> t = cosig::Verify(*c, text, b64);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1679315147u);
  EXPECT_FALSE(cosig::Verify(*c, "example.com/log\n4\n" + HashBase64(merkle::EmptyRoot()) + "\n", b64).ok());
  Result<cosig::Signer> back = cosig::ParseSignerKey(cosig::SignerKeyString(signer.name, key));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->key.public_key(), key.public_key());
}

TEST(PolicyTest, QuorumsOfGroupsAndRefusalsNamingTheMissingWitnesses) {
  const PrivateKey log = *PrivateKey::Generate();
  std::vector<PrivateKey> w;
  std::string text = "# comment\nlog " + note::VerifierKeyString("example.com/log", log.public_key()) + "\n";
  for (int i = 0; i < 4; ++i) {
    w.push_back(*PrivateKey::Generate());
    text += "  witness X" + std::to_string(i + 1) + "\t" + cosig::VerifierKeyString("w" + std::to_string(i + 1), w.back().public_key()) + "\n";
  }
  text += "group X 2 X1 X2 X3\ngroup XY all X X4\nquorum XY\n";
  Result<policy::Policy> p = policy::Parse(text);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(policy::QuorumMet(*p, {"X1", "X3", "X4"}));
  EXPECT_FALSE(policy::QuorumMet(*p, {"X1", "X2", "X3"}));
  EXPECT_FALSE(policy::QuorumMet(*p, {"X1", "X4"}));

  const Checkpoint cp{"example.com/log", 3, merkle::EmptyRoot()};
  std::string note = SignCheckpoint(cp, log);
  note += cosig::Cosign(CheckpointText(cp), 100, {"w1", w[0]});
  note += cosig::Cosign(CheckpointText(cp), 100, {"w4", w[3]});
  note += cosig::Cosign(CheckpointText(cp), 100, {"w2", w[0]});  // signed by the wrong key: invalid
  Result<policy::Witnessed> r = policy::CheckCheckpoint(note, p->logs[0], *p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "checkpoint 3 does not meet the witness quorum \"XY\": 2 valid cosignature(s); missing: X2, X3");
  note += cosig::Cosign(CheckpointText(cp), 100, {"w3", w[2]});
  r = policy::CheckCheckpoint(note, p->logs[0], *p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cosigned, (std::set<std::string>{"X1", "X3", "X4"}));
  EXPECT_EQ(r->missing, std::vector<std::string>{"X2"});
}

TEST(PolicyTest, MalformedPolicies) {
  for (const std::string bad : {"", "quorum nobody\n", "quorum none\nquorum none\n", "group g 1 a\nquorum none\n", "witness w1 bad\nquorum none\n",
                                "frobnicate\nquorum none\n"}) {
    EXPECT_FALSE(policy::Parse(bad).ok()) << bad;
  }
  EXPECT_TRUE(policy::Parse("quorum none\n").ok());
}

TEST(TlogProofTest, FormatAndParse) {
  tlogproof::Proof p{"{\"seq\":5}", 5, {merkle::EmptyRoot(), merkle::HashLeaf("x")}, "o\n6\nR\n\n\xE2\x80\x94 o AAAA\n"};
  const std::string text = tlogproof::Format(p);
  EXPECT_EQ(text, "c2sp.org/tlog-proof@v1\nextra eyJzZXEiOjV9\nindex 5\n" + HashBase64(merkle::EmptyRoot()) + "\n" +
                      HashBase64(merkle::HashLeaf("x")) + "\n\no\n6\nR\n\n\xE2\x80\x94 o AAAA\n");
  Result<tlogproof::Proof> back = tlogproof::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->extra, p.extra);
  EXPECT_EQ(back->index, 5u);
  EXPECT_EQ(back->hashes, p.hashes);
  EXPECT_EQ(back->checkpoint, p.checkpoint);
  EXPECT_TRUE(tlogproof::Parse("c2sp.org/tlog-proof@v1\nindex 0\n\no\n1\nR\n").ok());
  for (const std::string bad : {"c2sp.org/tlog-proof@v2\nindex 0\n\nx", "c2sp.org/tlog-proof@v1\nindex 01\n\nx", "c2sp.org/tlog-proof@v1\nindex 0\nnothash\n\nx",
                                "c2sp.org/tlog-proof@v1\nindex 0\n"}) {
    EXPECT_FALSE(tlogproof::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace pilotledger
