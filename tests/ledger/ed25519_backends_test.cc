// libsodium and OpenSSL 3 must accept and refuse exactly the same signatures (docs/protocol.md §4):
// the server verifies with one, the independent verifier (Python `cryptography`) with the other.
#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <random>

#include "ledger/crypto.h"
#include "ledger/encoding.h"
#include "tests/ledger/rfc8032_vectors.h"
#include "tests/test_util.h"

namespace pilotledger {
namespace {

constexpr Ed25519Backend kBoth[] = {Ed25519Backend::kSodium, Ed25519Backend::kOpenSsl};

std::string Hex(const char* h) { return *HexDecode(h); }

// Both backends' answer, which must be the same.
bool Agreed(const PublicKey& key, const std::string& message, const std::string& sig) {
  const bool sodium = key.VerifyWith(Ed25519Backend::kSodium, message, sig);
  const bool openssl = key.VerifyWith(Ed25519Backend::kOpenSsl, message, sig);
  EXPECT_EQ(sodium, openssl) << "message " << HexEncode(message) << " signature " << HexEncode(sig);
  return sodium;
}

// OpenSSL's own answer, without PublicKey's checks in front of it.
bool OpenSslAlone(const PublicKey& key, const std::string& message, const std::string& sig) {
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw().data(), 32);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                   reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

TEST(Ed25519BackendsTest, BothSignAndVerifyTheRfc8032Vectors) {
  for (const auto& v : kVectors) {
    ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::FromSeed(Hex(v.secret)));
    ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
    for (Ed25519Backend b : kBoth) {
      EXPECT_EQ(HexEncode(key.SignWith(b, Hex(v.message))), v.signature) << Ed25519BackendName(b);
      EXPECT_TRUE(pub.VerifyWith(b, Hex(v.message), Hex(v.signature))) << Ed25519BackendName(b);
    }
  }
}

TEST(Ed25519BackendsTest, BothRefuseEveryOneBitChangeOfSignatureMessageAndKey) {
  for (const auto& v : kVectors) {
    ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
    const std::string message = Hex(v.message);
    const std::string sig = Hex(v.signature);
    ASSERT_TRUE(Agreed(pub, message, sig));
    for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
      std::string bad = sig;
      bad[bit / 8] = char(bad[bit / 8] ^ (1 << (bit % 8)));
      EXPECT_FALSE(Agreed(pub, message, bad)) << "bit " << bit;
    }
    for (size_t bit = 0; bit < message.size() * 8 && bit < 512; ++bit) {
      std::string bad = message;
      bad[bit / 8] = char(bad[bit / 8] ^ (1 << (bit % 8)));
      EXPECT_FALSE(Agreed(pub, bad, sig)) << "message bit " << bit;
    }
    for (size_t bit = 0; bit < 256; ++bit) {
      std::string raw(pub.raw_bytes());
      raw[bit / 8] = char(raw[bit / 8] ^ (1 << (bit % 8)));
      Result<PublicKey> other = PublicKey::FromRaw(raw);  // many flips are no curve point
      if (other.ok()) {
        EXPECT_FALSE(Agreed(*other, message, sig)) << "key bit " << bit;
      }
    }
    EXPECT_FALSE(Agreed(pub, message, sig.substr(0, 63)));
    EXPECT_FALSE(Agreed(pub, message, sig + '\0'));
  }
}

TEST(Ed25519BackendsTest, BothAgreeOnRandomKeysMessagesAndGarbage) {
  std::mt19937_64 rng(20261202);
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::Generate());
    std::string message(static_cast<size_t>(rng() % 300), '\0');
    for (char& c : message) c = char(rng());
    const std::string sig = key.Sign(message);
    EXPECT_TRUE(Agreed(key.public_key(), message, sig));
    std::string garbage(64, '\0');
    for (char& c : garbage) c = char(rng());
    EXPECT_FALSE(Agreed(key.public_key(), message, garbage));
    std::string mixed = sig.substr(0, 32) + garbage.substr(32);
    mixed[63] = char(mixed[63] & 0x0f);  // S < 2^252: canonical, so only the equation refuses it
    EXPECT_FALSE(Agreed(key.public_key(), message, mixed));
  }
}

TEST(Ed25519BackendsTest, BothRefuseANonCanonicalS) {
  const auto& v = kVectors[0];
  const std::string sig = WithSPlusL(Hex(v.signature));
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
  EXPECT_FALSE(Agreed(pub, "", sig));
  EXPECT_FALSE(OpenSslAlone(pub, "", sig));
}

TEST(Ed25519BackendsTest, BothRefuseANonCanonicalR) {
  // R's y coordinate at or above p: no computed R is ever encoded that way.
  const auto& v = kVectors[1];
  ASSERT_OK_AND_ASSIGN(PublicKey pub, PublicKey::FromRaw(Hex(v.public_key)));
  for (const char* r : {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                        "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}) {
    const std::string sig = Hex(r) + Hex(v.signature).substr(32);
    EXPECT_FALSE(Agreed(pub, Hex(v.message), sig)) << r;
  }
}

// A key's holder can make a "signature" whose R is the identity: S = k·a mod L, with
// k = SHA-512(R ‖ A ‖ M) mod L, satisfies [S]B = R + [k]A. OpenSSL's equation accepts it; libsodium
// refuses any small-order R; PublicKey refuses it under both backends.
TEST(Ed25519BackendsTest, BothRefuseASmallOrderRThatOpenSslAloneWouldAccept) {
  ASSERT_EQ(sodium_init() >= 0, true);
  const std::string seed = Hex(kVectors[2].secret);
  ASSERT_OK_AND_ASSIGN(PrivateKey key, PrivateKey::FromSeed(seed));
  const std::string message = "pilotledger:event:v1\n{}";

  std::array<unsigned char, 64> h{};
  crypto_hash_sha512(h.data(), reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  std::array<unsigned char, 64> wide{};
  std::memcpy(wide.data(), h.data(), 32);
  std::array<unsigned char, 32> a{};
  crypto_core_ed25519_scalar_reduce(a.data(), wide.data());

  std::string r(32, '\0');
  r[0] = 1;  // the identity
  const std::string to_hash = r + std::string(key.public_key().raw_bytes()) + message;
  std::array<unsigned char, 64> k_wide{};
  crypto_hash_sha512(k_wide.data(), reinterpret_cast<const unsigned char*>(to_hash.data()), to_hash.size());
  std::array<unsigned char, 32> k{};
  crypto_core_ed25519_scalar_reduce(k.data(), k_wide.data());
  std::array<unsigned char, 32> s{};
  crypto_core_ed25519_scalar_mul(s.data(), k.data(), a.data());
  const std::string sig = r + std::string(reinterpret_cast<const char*>(s.data()), 32);

  EXPECT_TRUE(OpenSslAlone(key.public_key(), message, sig)) << "the crafted signature is no such case";
  EXPECT_FALSE(Agreed(key.public_key(), message, sig));
}

TEST(Ed25519BackendsTest, SmallOrderKeysAreRefusedBeforeEitherBackendSeesThem) {
  // Under the identity as a key, [S]B = R holds for every message: OpenSSL would accept.
  const std::string identity = Hex("0100000000000000000000000000000000000000000000000000000000000000");
  EXPECT_FALSE(PublicKey::FromRaw(identity).ok());
  const PublicKey trusted = PublicKey::FromTrustedRaw(identity);
  // S = 1 and R = [S]B, the base point.
  std::string s(32, '\0');
  s[0] = 1;
  std::array<unsigned char, 32> base{};
  ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(base.data(), reinterpret_cast<const unsigned char*>(s.data())), 0);
  const std::string sig = std::string(reinterpret_cast<const char*>(base.data()), 32) + s;
  EXPECT_TRUE(OpenSslAlone(trusted, "any message", sig));
  EXPECT_FALSE(trusted.VerifyWith(Ed25519Backend::kSodium, "any message", sig));
}

}  // namespace
}  // namespace pilotledger
