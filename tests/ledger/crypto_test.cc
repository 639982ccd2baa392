#include "ledger/crypto.h"

#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ed25519_point.h"
#include "ledger/encoding.h"
#include "tests/ledger/rfc8032_vectors.h"
#include "tests/test_util.h"

namespace pilotledger {
namespace {

std::string Hex(const char* h) { return *HexDecode(h); }

TEST(CryptoTest, Rfc8032VectorsSignAndVerify) {
  for (const auto& v : kVectors) {
    ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::FromSeed(Hex(v.secret)));
    EXPECT_EQ(HexEncode(key.public_key().raw_bytes()), v.public_key);
    const std::string sig = key.Sign(Hex(v.message));
    EXPECT_EQ(HexEncode(sig), v.signature);
    ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
    EXPECT_TRUE(pub.Verify(Hex(v.message), Hex(v.signature)));
  }
}

TEST(CryptoTest, VerifyRejectsAlteredMessageSignatureAndKey) {
  const auto& v = kVectors[2];
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
  std::string sig = Hex(v.signature);
  EXPECT_FALSE(pub.Verify(Hex("af83"), sig));
  sig[5] ^= 1;
  EXPECT_FALSE(pub.Verify(Hex(v.message), sig));
  EXPECT_FALSE(pub.Verify(Hex(v.message), Hex(v.signature).substr(0, 63)));
  ASSERT_OK_AND_ASSIGN(PublicKey other, PublicKey::FromRaw(Hex(kVectors[0].public_key)));
  EXPECT_FALSE(other.Verify(Hex(v.message), Hex(v.signature)));
}

TEST(CryptoTest, VerifyRejectsNonCanonicalS) {
  const auto& v = kVectors[0];
  const std::string sig = WithSPlusL(Hex(v.signature));
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
  EXPECT_FALSE(pub.Verify("", sig));
}

TEST(CryptoTest, RefusesSmallOrderKeysCanonicalOrNot) {
  const char* small[] = {
      "0100000000000000000000000000000000000000000000000000000000000000",
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0000000000000000000000000000000000000000000000000000000000000080",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  };
  for (const char* k : small) {
    Result<PublicKey> r = PublicKey::FromRaw(Hex(k));
    EXPECT_EQ(r.status().code(), Code::kSchemaViolation) << k;
  }
  EXPECT_EQ(PublicKey::FromRaw(std::string(31, 'a')).status().code(), Code::kSchemaViolation);
  EXPECT_TRUE(PublicKey::FromRaw(Hex(kVectors[0].public_key)).ok());
}

TEST(CryptoTest, RefusesEncodingsThatAreNoPointOfTheCurve) {
  // y = 2 gives x^2 = 3 / (4d + 1), not a square mod p; y = p + 2 is a non-canonical y.
  std::string y2(32, '\0');
  y2[0] = 2;
  EXPECT_FALSE(IsEd25519Point(y2));
  EXPECT_EQ(PublicKey::FromRaw(y2).status().code(), Code::kSchemaViolation);
  std::string non_canonical = Hex("efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_FALSE(IsEd25519Point(non_canonical));
  // x = 0 (y = 1 or y = -1) has no negative encoding.
  EXPECT_FALSE(IsEd25519Point(Hex("0100000000000000000000000000000000000000000000000000000000000080")));
  for (const auto& v : kVectors) EXPECT_TRUE(IsEd25519Point(Hex(v.public_key))) << v.public_key;
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(PrivateKey k, PrivateKey::Generate());
    ASSERT_TRUE(IsEd25519Point(k.public_key().raw_bytes()));
  }
}

TEST(CryptoTest, Sha256KnownAnswers) {
  EXPECT_EQ(HashHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HashHex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Parts({"a", "", "bc"}), Sha256("abc"));
}

TEST(CryptoTest, PemRoundTripCreatesFileWithMode0600AndNeverOverwrites) {
  char dir[] = "/tmp/pilot-key-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/key.pem";
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate());
  ASSERT_OK(key.SavePem(path));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_OK_AND_ASSIGN(PrivateKey loaded, PrivateKey::LoadPem(path));
  EXPECT_EQ(loaded.public_key(), key.public_key());
  EXPECT_EQ(loaded.Sign("x"), key.Sign("x"));
  EXPECT_FALSE(key.SavePem(path).ok());
  EXPECT_EQ(PrivateKey::LoadPem(std::string(dir) + "/missing.pem").status().code(), Code::kNotFound);
  EXPECT_EQ(PrivateKey::FromPem("not a key").status().code(), Code::kInvalidArgument);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace pilotledger
