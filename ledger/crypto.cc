#include "ledger/crypto.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "ledger/ed25519_point.h"
#include "ledger/encoding.h"

namespace pilotledger {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

std::shared_ptr<EVP_PKEY> OwnKey(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// Fetched once: implicit fetching on every call is measurably slower in OpenSSL 3.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Hash Sha256Parts(std::initializer_list<std::string_view> parts) {
  Hash out{};
  MdCtx ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) == 1;
  for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  if (!ok || len != out.size()) std::abort();  // only on memory exhaustion: no safe way on
  return out;
}

Hash Sha256(std::string_view data) { return Sha256Parts({data}); }

std::string HashBase64(const Hash& h) { return Base64Encode(AsBytes(h)); }
std::string HashHex(const Hash& h) { return HexEncode(AsBytes(h)); }

Result<Hash> HashFromBase64(std::string_view b64) {
  const auto raw = Base64Decode(b64);
  if (!raw || raw->size() != 32) {
    return Status(Code::kInvalidArgument, "a hash is 32 bytes in standard base64");
  }
  Hash h;
  std::memcpy(h.data(), raw->data(), 32);
  return h;
}

Result<PublicKey> PublicKey::FromRaw(std::string_view raw) {
  if (raw.size() != 32) {
    return SchemaViolation("public_key", "an Ed25519 public key is 32 bytes, got " +
                                             std::to_string(raw.size()));
  }
  if (IsSmallOrderEd25519Key(raw)) {
    return SchemaViolation("public_key", "the public key is a small-order point and is refused");
  }
  if (!IsEd25519Point(raw)) {
    return SchemaViolation("public_key", "the public key is not the encoding of a point on the Ed25519 curve");
  }
  PublicKey key;
  std::memcpy(key.raw_.data(), raw.data(), 32);
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw_.data(), 32);
  if (!pkey) return SchemaViolation("public_key", "not an Ed25519 public key");
  key.pkey_ = OwnKey(pkey);
  return key;
}

Result<PublicKey> PublicKey::FromBase64(std::string_view b64) {
  const auto raw = Base64Decode(b64);
  if (!raw) return SchemaViolation("public_key", "the public key is not standard base64");
  return FromRaw(*raw);
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  if (!pkey_ || signature.size() != 64) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string PublicKey::ToBase64() const { return Base64Encode(raw_bytes()); }

Result<PrivateKey> PrivateKey::FromSeed(std::string_view seed) {
  if (seed.size() != 32) return Status(Code::kInvalidArgument, "an Ed25519 seed is 32 bytes");
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), 32);
  if (!pkey) return Status(Code::kInternal, "EVP_PKEY_new_raw_private_key failed");
  PrivateKey key;
  key.pkey_ = OwnKey(pkey);
  std::array<uint8_t, 32> pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, pub.data(), &len) != 1 || len != 32) {
    return Status(Code::kInternal, "EVP_PKEY_get_raw_public_key failed");
  }
  PL_ASSIGN_OR_RETURN(key.public_key_,
                      PublicKey::FromRaw({reinterpret_cast<const char*>(pub.data()), 32}));
  return key;
}

Result<PrivateKey> PrivateKey::Generate() {
  std::array<uint8_t, 32> seed{};
  PL_RETURN_IF_ERROR(RandomBytes(seed.data(), seed.size()));
  return FromSeed({reinterpret_cast<const char*>(seed.data()), seed.size()});
}

std::string PrivateKey::Seed() const {
  std::string seed(32, '\0');
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey_.get(), reinterpret_cast<unsigned char*>(seed.data()), &len) != 1) {
    return {};
  }
  return seed;
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status(Code::kInternal, "BIO_new_mem_buf failed");
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!pkey) return Status(Code::kInvalidArgument, "not a PEM private key");
  const auto owned = OwnKey(pkey);
  if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    return Status(Code::kInvalidArgument, "the private key is not an Ed25519 key");
  }
  std::string seed(32, '\0');
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey, reinterpret_cast<unsigned char*>(seed.data()), &len) != 1) {
    return Status(Code::kInvalidArgument, "cannot read the Ed25519 private key");
  }
  return FromSeed(seed);
}

Result<PrivateKey> PrivateKey::LoadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read key file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  Result<PrivateKey> key = FromPem(buffer.str());
  if (!key.ok()) return Status(key.status().code(), path + ": " + key.status().message());
  return key;
}

std::string PrivateKey::ToPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Status PrivateKey::SavePem(const std::string& path) const {
  const std::string pem = ToPem();
  if (pem.empty()) return Status(Code::kInternal, "cannot encode the private key");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status(Code::kInvalidArgument, "cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status(Code::kInternal, "cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Status(Code::kInternal, "cannot sync " + path);
  return Status::Ok();
}

std::string PrivateKey::Sign(std::string_view message) const {
  std::string sig(64, '\0');
  size_t len = sig.size();
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != 64) {
    std::abort();  // signing with a valid key fails only on memory exhaustion
  }
  return sig;
}

Status RandomBytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) return Status(Code::kInternal, "RAND_bytes failed");
  return Status::Ok();
}

}  // namespace pilotledger
