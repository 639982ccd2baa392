#include "ledger/ed25519_point.h"

#include <cstdint>
#include <memory>

#include <openssl/bn.h>

namespace pilotledger {
namespace {

// The small-order points of edwards25519 (libsodium's blocklist): identity, the point of order 2,
// the two of order 4 and the two of order 8 (only their y coordinates matter), plus the
// non-canonical encodings y = p and y = p + 1. The sign bit (top bit of byte 31) is ignored.
constexpr uint8_t kSmallOrder[][32] = {
    {0x00},  // y = 0 (order 4)
    {0x01},  // y = 1 (identity)
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
};

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

// The field constants, parsed once: p = 2^255 - 19, d = -121665/121666 mod p.
struct CurveConstants {
  Bn p, d;
  CurveConstants() {
    BIGNUM *pp = nullptr, *dd = nullptr;
    BN_dec2bn(&pp, "57896044618658097711785492504343953926634992332820282019728792003956564819949");
    BN_dec2bn(&dd, "37095705934669439343138083508754565189542113879843219016388785533085940283555");
    p.reset(pp);
    d.reset(dd);
  }
};

}  // namespace

bool IsSmallOrderEd25519Key(std::string_view raw) {
  if (raw.size() != 32) return false;
  for (const auto& bad : kSmallOrder) {
    bool equal = (uint8_t(raw[31]) & 0x7f) == bad[31];
    for (int i = 0; i < 31 && equal; ++i) equal = uint8_t(raw[i]) == bad[i];
    if (equal) return true;
  }
  return false;
}

bool IsEd25519Point(std::string_view raw) {
  if (raw.size() != 32) return false;
  static const CurveConstants c;
  // y is the little-endian value without the top bit (the sign of x).
  unsigned char be[32];
  for (int i = 0; i < 32; ++i) be[i] = static_cast<unsigned char>(raw[31 - i]);
  const bool x_negative = be[0] & 0x80;
  be[0] &= 0x7f;
  std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
  Bn y(BN_bin2bn(be, 32, nullptr)), y2(BN_new()), u(BN_new()), v(BN_new()), w(BN_new());
  if (!ctx || !y || !y2 || !u || !v || !w) return false;
  if (BN_cmp(y.get(), c.p.get()) >= 0) return false;  // a non-canonical encoding of y
  // x^2 = u / v with u = y^2 - 1 and v = d y^2 + 1 (never 0); it is a square iff u v is one.
  if (!BN_mod_sqr(y2.get(), y.get(), c.p.get(), ctx.get()) || !BN_mod_sub(u.get(), y2.get(), BN_value_one(), c.p.get(), ctx.get()) ||
      !BN_mod_mul(v.get(), c.d.get(), y2.get(), c.p.get(), ctx.get()) ||
      !BN_mod_add(v.get(), v.get(), BN_value_one(), c.p.get(), ctx.get()) || !BN_mod_mul(w.get(), u.get(), v.get(), c.p.get(), ctx.get())) {
    return false;
  }
  if (BN_is_zero(w.get())) return !x_negative;  // x = 0 has no negative encoding
  // For the prime p the Jacobi symbol is the Legendre symbol: 1 for a square. OpenSSL's binary
  // algorithm costs a few microseconds; Euler's criterion (w^((p-1)/2), BN_mod_exp_mont) cost
  // ~40 per registered key, on the request threads.
  return BN_kronecker(w.get(), c.p.get(), ctx.get()) == 1;
}

}  // namespace pilotledger
