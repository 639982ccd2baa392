#include "ledger/crypto.h"

#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include <openssl/bn.h>

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

// The decompression condition the old way, as the reference: y < p and, with u = y^2 - 1 and
// v = d y^2 + 1, u v = 0 (then only x = +0) or (u v)^((p-1)/2) = 1 (Euler's criterion).
bool OnCurveByEulersCriterion(const std::string& raw) {
  unsigned char be[32];
  for (int i = 0; i < 32; ++i) be[i] = static_cast<unsigned char>(raw[31 - i]);
  const bool x_negative = be[0] & 0x80;
  be[0] &= 0x7f;
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *p = nullptr, *d = nullptr;
  BN_dec2bn(&p, "57896044618658097711785492504343953926634992332820282019728792003956564819949");
  BN_dec2bn(&d, "37095705934669439343138083508754565189542113879843219016388785533085940283555");
  BIGNUM *y = BN_bin2bn(be, 32, nullptr), *y2 = BN_new(), *u = BN_new(), *v = BN_new(), *w = BN_new(), *e = BN_new(), *r = BN_new();
  bool on = false;
  if (BN_cmp(y, p) < 0) {
    BN_mod_sqr(y2, y, p, ctx);
    BN_mod_sub(u, y2, BN_value_one(), p, ctx);
    BN_mod_mul(v, d, y2, p, ctx);
    BN_mod_add(v, v, BN_value_one(), p, ctx);
    BN_mod_mul(w, u, v, p, ctx);
    if (BN_is_zero(w)) {
      on = !x_negative;
    } else {
      BN_copy(e, p);
      BN_sub_word(e, 1);
      BN_rshift1(e, e);
      BN_mod_exp(r, w, e, p, ctx);
      on = BN_is_one(r);
    }
  }
  for (BIGNUM* b : {p, d, y, y2, u, v, w, e, r}) BN_free(b);
  BN_CTX_free(ctx);
  return on;
}

TEST(CryptoTest, PointCheckAgreesWithEulersCriterionOnRandomEncodings) {
  std::mt19937_64 rng(20261202);
  int on_curve = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string raw(32, '\0');
    for (char& c : raw) c = static_cast<char>(rng());
    if (i % 4 == 0) raw[31] = static_cast<char>(raw[31] | 0x7f), raw[30] = '\xff';  // y near or above p
    const bool expected = OnCurveByEulersCriterion(raw);
    on_curve += expected;
    ASSERT_EQ(IsEd25519Point(raw), expected) << HexEncode(raw);
  }
  // About half of all y are the y of a point; the test means nothing if the sample were one-sided.
  EXPECT_GT(on_curve, 1500);
  EXPECT_LT(on_curve, 2500);
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
