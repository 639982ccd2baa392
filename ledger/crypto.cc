#include "ledger/crypto.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sodium.h>

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

// Per-thread OpenSSL contexts, one per use (`Use`: 0 for SHA-256, 1 for signatures), so that a
// hash or a signature allocates no context. A thread's thread_locals are destroyed before the
// process's static objects, whose destructors may still hash (a service stopped at exit writes a
// snapshot): after its holder is gone a thread gets a context of its own per call.
thread_local bool t_contexts_gone = false;
template <int Use>
struct ThreadContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadContext() {
    EVP_MD_CTX_free(ctx);
    t_contexts_gone = true;
  }
};
template <int Use>
class ContextFor {
 public:
  ContextFor() {
    if (!t_contexts_gone) {
      thread_local ThreadContext<Use> mine;
      ctx_ = mine.ctx;
    } else {
      owned_.reset(EVP_MD_CTX_new());
      ctx_ = owned_.get();
    }
  }
  EVP_MD_CTX* get() const { return ctx_; }
  explicit operator bool() const { return ctx_ != nullptr; }

 private:
  EVP_MD_CTX* ctx_ = nullptr;
  MdCtx owned_;
};

// Fetched once: implicit fetching on every call is measurably slower in OpenSSL 3.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Hash Sha256Parts(std::initializer_list<std::string_view> parts) {
  Hash out{};
  // Reinitialised by EVP_DigestInit_ex with the same digest: no allocation per hash.
  const ContextFor<0> ctx;
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

Ed25519Backend CurrentEd25519Backend() {
  static const Ed25519Backend backend = [] {
    const char* env = std::getenv("PILOTLEDGER_ED25519");
    return env && std::string_view(env) == "openssl" ? Ed25519Backend::kOpenSsl : Ed25519Backend::kSodium;
  }();
  return backend;
}

const char* Ed25519BackendName(Ed25519Backend backend) {
  return backend == Ed25519Backend::kOpenSsl ? "openssl" : "libsodium";
}

namespace {

// sodium_init() is thread-safe and idempotent; it picks the fastest implementation for the CPU.
void InitSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

}  // namespace

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
  return FromTrustedRaw(raw);
}

PublicKey PublicKey::FromTrustedRaw(std::string_view raw) {
  if (raw.size() != 32) std::abort();  // a caller's bug: only bytes FromRaw accepted come here
  PublicKey key;
  std::memcpy(key.raw_.data(), raw.data(), 32);
  if (CurrentEd25519Backend() == Ed25519Backend::kOpenSsl) {
    // Made once per key, as OpenSSL needs it for every verification.
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw_.data(), 32);
    if (!pkey) std::abort();  // only on memory exhaustion
    key.pkey_ = OwnKey(pkey);
  }
  return key;
}

Result<PublicKey> PublicKey::FromBase64(std::string_view b64) {
  const auto raw = Base64Decode(b64);
  if (!raw) return SchemaViolation("public_key", "the public key is not standard base64");
  return FromRaw(*raw);
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  return VerifyWith(CurrentEd25519Backend(), message, signature);
}

bool PublicKey::VerifyWith(Ed25519Backend backend, std::string_view message, std::string_view signature) const {
  if (signature.size() != 64) return false;
  // libsodium refuses a small-order R by itself; OpenSSL does not (a key's holder can make a
  // signature with R = identity that its equation accepts). Refused before either, so that the two
  // agree (docs/protocol.md §4).
  if (IsSmallOrderEd25519Key(signature.substr(0, 32))) return false;
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (backend == Ed25519Backend::kSodium) {
    InitSodium();
    return crypto_sign_verify_detached(sig, msg, message.size(), raw_.data()) == 0;
  }
  std::shared_ptr<EVP_PKEY> pkey = pkey_;
  if (!pkey) {  // a key made under the other backend (the agreement tests)
    pkey = OwnKey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_.data(), 32));
    if (!pkey) return false;
  }
  const ContextFor<1> ctx;
  if (ctx) EVP_MD_CTX_reset(ctx.get());  // drops the previous key's context; keeps the allocation
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig, signature.size(), msg, message.size()) == 1;
}

std::string PublicKey::ToBase64() const { return Base64Encode(raw_bytes()); }

// The key material: libsodium's 64-byte secret key (seed ‖ public key) and OpenSSL's handle, made
// once from the seed (PEM files, and signing under the OpenSSL backend). Wiped on destruction.
struct PrivateKey::Secret {
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  std::shared_ptr<EVP_PKEY> pkey;
  ~Secret() { sodium_memzero(sk.data(), sk.size()); }
};

Result<PrivateKey> PrivateKey::FromSeed(std::string_view seed) {
  if (seed.size() != 32) return Status(Code::kInvalidArgument, "an Ed25519 seed is 32 bytes");
  InitSodium();
  auto secret = std::make_shared<Secret>();
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pub{};
  if (crypto_sign_seed_keypair(pub.data(), secret->sk.data(),
                               reinterpret_cast<const unsigned char*>(seed.data())) != 0) {
    return Status(Code::kInternal, "crypto_sign_seed_keypair failed");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), 32);
  if (!pkey) return Status(Code::kInternal, "EVP_PKEY_new_raw_private_key failed");
  secret->pkey = OwnKey(pkey);
  PrivateKey key;
  PL_ASSIGN_OR_RETURN(key.public_key_,
                      PublicKey::FromRaw({reinterpret_cast<const char*>(pub.data()), pub.size()}));
  key.secret_ = std::move(secret);
  return key;
}

Result<PrivateKey> PrivateKey::Generate() {
  std::array<uint8_t, 32> seed{};
  PL_RETURN_IF_ERROR(RandomBytes(seed.data(), seed.size()));
  return FromSeed({reinterpret_cast<const char*>(seed.data()), seed.size()});
}

std::string PrivateKey::Seed() const {
  return std::string(reinterpret_cast<const char*>(secret_->sk.data()), 32);
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
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), secret_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
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
  return SignWith(CurrentEd25519Backend(), message);
}

std::string PrivateKey::SignWith(Ed25519Backend backend, std::string_view message) const {
  std::string sig(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sig.data());
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (backend == Ed25519Backend::kSodium) {
    if (crypto_sign_detached(out, nullptr, msg, message.size(), secret_->sk.data()) != 0) std::abort();
    return sig;
  }
  size_t len = sig.size();
  const ContextFor<1> ctx;
  if (ctx) EVP_MD_CTX_reset(ctx.get());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, secret_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), out, &len, msg, message.size()) != 1 || len != 64) {
    std::abort();  // signing with a valid key fails only on memory exhaustion
  }
  return sig;
}

Status RandomBytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) return Status(Code::kInternal, "RAND_bytes failed");
  return Status::Ok();
}

}  // namespace pilotledger
