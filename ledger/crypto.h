#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/status.h"

struct evp_pkey_st;

namespace pilotledger {

using Hash = std::array<uint8_t, 32>;

// SHA-256 through OpenSSL EVP. Thread-safe.
Hash Sha256(std::string_view data);
// SHA-256 of the concatenation of `parts`, without building it.
Hash Sha256Parts(std::initializer_list<std::string_view> parts);

inline std::string_view AsBytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}
std::string HashBase64(const Hash& h);
std::string HashHex(const Hash& h);
// Decodes standard base64 of exactly 32 bytes; kInvalidArgument otherwise.
Result<Hash> HashFromBase64(std::string_view b64);

// Which library computes Ed25519 (docs/protocol.md §4). libsodium by default; OpenSSL 3 when the
// environment variable PILOTLEDGER_ED25519 is "openssl" at the process's first use of a key (for
// the comparison in docs/performance.md). Both refuse exactly the same signatures
// (tests/ledger/ed25519_backends_test.cc); TLS and SHA-256 are OpenSSL's either way.
enum class Ed25519Backend { kSodium, kOpenSsl };
Ed25519Backend CurrentEd25519Backend();
const char* Ed25519BackendName(Ed25519Backend backend);

// An Ed25519 public key (RFC 8032): its 32 bytes (and, under the OpenSSL backend, a shared OpenSSL
// handle). Immutable; thread-safe.
class PublicKey {
 public:
  // Accepts exactly 32 bytes that are the canonical encoding of a curve point that is not of
  // small order (docs/protocol.md §4). Errors: kSchemaViolation.
  static Result<PublicKey> FromRaw(std::string_view raw);
  static Result<PublicKey> FromBase64(std::string_view b64);
  // The same without the point checks, for bytes FromRaw accepted before: a key read back from
  // an entry the log admitted (its leaf hash proves the bytes). `raw` must be 32 bytes.
  static PublicKey FromTrustedRaw(std::string_view raw);

  // RFC 8032 §5.1.7 verification (cofactorless, S < L), refusing a signature whose R is a
  // small-order encoding. False for a wrong-sized signature. Uses CurrentEd25519Backend().
  bool Verify(std::string_view message, std::string_view signature) const;
  // The same through a given backend (the agreement tests and the benchmark).
  bool VerifyWith(Ed25519Backend backend, std::string_view message, std::string_view signature) const;

  const std::array<uint8_t, 32>& raw() const { return raw_; }
  std::string_view raw_bytes() const { return {reinterpret_cast<const char*>(raw_.data()), 32}; }
  std::string ToBase64() const;
  bool operator==(const PublicKey& other) const { return raw_ == other.raw_; }

 private:
  std::array<uint8_t, 32> raw_{};
  std::shared_ptr<evp_pkey_st> pkey_;
};

// An Ed25519 private key. Copies share the key material; Sign() is thread-safe.
class PrivateKey {
 public:
  static Result<PrivateKey> Generate();
  // The 32-byte RFC 8032 seed.
  static Result<PrivateKey> FromSeed(std::string_view seed);
  // Reads a PKCS#8 PEM file ("-----BEGIN PRIVATE KEY-----"). Errors: kNotFound, kInvalidArgument.
  static Result<PrivateKey> LoadPem(const std::string& path);
  static Result<PrivateKey> FromPem(std::string_view pem);

  // Writes the key as PKCS#8 PEM to a new file with mode 0600; never overwrites.
  Status SavePem(const std::string& path) const;
  std::string ToPem() const;

  // The 64-byte signature of `message` (deterministic: both backends give the same bytes).
  std::string Sign(std::string_view message) const;
  std::string SignWith(Ed25519Backend backend, std::string_view message) const;
  const PublicKey& public_key() const { return public_key_; }
  std::string Seed() const;

 private:
  struct Secret;
  std::shared_ptr<const Secret> secret_;
  PublicKey public_key_;
};

// Fills `out` with cryptographically secure random bytes.
Status RandomBytes(uint8_t* out, size_t size);

}  // namespace pilotledger
