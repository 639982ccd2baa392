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

// An Ed25519 public key (RFC 8032). Immutable; copies share the OpenSSL handle; thread-safe.
class PublicKey {
 public:
  // Accepts exactly 32 bytes that are not one of the small-order encodings (PROTOCOL.md §2).
  // Errors: kSchemaViolation.
  static Result<PublicKey> FromRaw(std::string_view raw);
  static Result<PublicKey> FromBase64(std::string_view b64);

  // RFC 8032 §5.1.7 verification with canonical S. False for a wrong-sized signature.
  bool Verify(std::string_view message, std::string_view signature) const;

  const std::array<uint8_t, 32>& raw() const { return raw_; }
  std::string_view raw_bytes() const { return {reinterpret_cast<const char*>(raw_.data()), 32}; }
  std::string ToBase64() const;
  bool operator==(const PublicKey& other) const { return raw_ == other.raw_; }

 private:
  std::array<uint8_t, 32> raw_{};
  std::shared_ptr<evp_pkey_st> pkey_;
};

// An Ed25519 private key. Copies share the OpenSSL handle; Sign() is thread-safe.
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

  // The 64-byte signature of `message`.
  std::string Sign(std::string_view message) const;
  const PublicKey& public_key() const { return public_key_; }
  std::string Seed() const;

 private:
  std::shared_ptr<evp_pkey_st> pkey_;
  PublicKey public_key_;
};

// Fills `out` with cryptographically secure random bytes.
Status RandomBytes(uint8_t* out, size_t size);

}  // namespace pilotledger
