#include "ledger/cosignature.h"

#include <cstdio>

#include "ledger/encoding.h"
#include "ledger/note.h"

namespace pilotledger::cosig {
namespace {

constexpr uint8_t kCosignatureV1 = 0x04;
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // "— "

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}
uint32_t Read32(std::string_view b) {
  return (uint32_t(uint8_t(b[0])) << 24) | (uint32_t(uint8_t(b[1])) << 16) | (uint32_t(uint8_t(b[2])) << 8) |
         uint32_t(uint8_t(b[3]));
}
std::string Be32(uint32_t v) { return {char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)}; }

// "<name>+<hex8>+<base64>": the parts, or false.
bool SplitKey(std::string_view s, std::string_view& name, std::string_view& hex, std::string_view& b64) {
  const auto a = s.find('+');
  if (a == std::string_view::npos) return false;
  const auto b = s.find('+', a + 1);
  if (b == std::string_view::npos) return false;
  name = s.substr(0, a);
  hex = s.substr(a + 1, b - a - 1);
  b64 = s.substr(b + 1);
  return true;
}

}  // namespace

uint32_t KeyId(std::string_view name, const PublicKey& key) {
  const char type = static_cast<char>(kCosignatureV1);
  return Read32(AsBytes(Sha256Parts({name, "\n", std::string_view(&type, 1), key.raw_bytes()})));
}

std::string VerifierKeyString(std::string_view name, const PublicKey& key) {
  return std::string(name) + "+" + Hex8(KeyId(name, key)) + "+" +
         Base64Encode(std::string(1, char(kCosignatureV1)) + std::string(key.raw_bytes()));
}

Result<Cosigner> ParseVerifierKey(std::string_view vkey) {
  const auto bad = [&](const std::string& why) {
    return Status(Code::kInvalidArgument, "malformed witness key \"" + std::string(vkey) + "\": " + why +
                                              " (a witness key is <name>+<8 hex digit key id>+<base64(0x04 || key)>, as "
                                              "'pilotledgerd witness init' prints it)");
  };
  std::string_view name, hex, b64;
  if (!SplitKey(vkey, name, hex, b64)) return bad("it does not have three parts separated by '+'");
  if (!note::IsValidName(name)) return bad("the name is empty or contains a space or '+'");
  const auto raw_id = HexDecode(hex);
  if (hex.size() != 8 || !raw_id) return bad("the key id is not 8 hex digits");
  const auto raw = Base64Decode(b64);
  if (!raw || raw->size() != 33 || uint8_t((*raw)[0]) != kCosignatureV1) {
    return bad("the key part is not base64 of the type byte 0x04 and a 32-byte Ed25519 key");
  }
  Result<PublicKey> pub = PublicKey::FromRaw(std::string_view(*raw).substr(1));
  if (!pub.ok()) return bad("the key part is not an Ed25519 public key");
  if (KeyId(name, *pub) != Read32(*raw_id)) return bad("the key id does not match the name and the key");
  return Cosigner{std::string(name), Read32(*raw_id), *pub};
}

std::string SignerKeyString(std::string_view name, const PrivateKey& key) {
  return "PRIVATE+KEY+" + std::string(name) + "+" + Hex8(KeyId(name, key.public_key())) + "+" +
         Base64Encode(std::string(1, char(kCosignatureV1)) + key.Seed());
}

Result<Signer> ParseSignerKey(std::string_view skey) {
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  const Status bad(Code::kInvalidArgument, "malformed witness signer key");
  while (!skey.empty() && (skey.back() == '\n' || skey.back() == '\r')) skey.remove_suffix(1);
  if (skey.substr(0, kPrefix.size()) != kPrefix) return bad;
  std::string_view name, hex, b64;
  if (!SplitKey(skey.substr(kPrefix.size()), name, hex, b64) || !note::IsValidName(name)) return bad;
  const auto raw_id = HexDecode(hex);
  const auto raw = Base64Decode(b64);
  if (hex.size() != 8 || !raw_id || !raw || raw->size() != 33 || uint8_t((*raw)[0]) != kCosignatureV1) return bad;
  Result<PrivateKey> priv = PrivateKey::FromSeed(std::string_view(*raw).substr(1));
  if (!priv.ok() || KeyId(name, priv->public_key()) != Read32(*raw_id)) return bad;
  return Signer{std::string(name), *priv};
}

std::string SignedMessage(std::string_view checkpoint_text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(checkpoint_text);
}

std::string Cosign(std::string_view checkpoint_text, uint64_t timestamp, const Signer& signer) {
  const std::string sig = signer.key.Sign(SignedMessage(checkpoint_text, timestamp));
  const std::string blob = Be32(KeyId(signer.name, signer.key.public_key())) + EncodeBigEndian64(timestamp) + sig;
  return std::string(kSigPrefix) + signer.name + " " + Base64Encode(blob) + "\n";
}

Result<uint64_t> Verify(const Cosigner& cosigner, std::string_view checkpoint_text, std::string_view base64) {
  const auto raw = Base64Decode(base64);
  const std::string who = cosigner.name + "+" + Hex8(cosigner.key_id);
  if (!raw || raw->size() != 4 + 8 + 64) return Status(Code::kInvalidArgument, "malformed cosignature by " + who);
  if (Read32(*raw) != cosigner.key_id) return Status(Code::kInvalidArgument, "cosignature key id is not " + who);
  const uint64_t timestamp = DecodeBigEndian64(std::string_view(*raw).substr(4, 8));
  if (timestamp > (uint64_t{1} << 63) - 1 ||
      !cosigner.key.Verify(SignedMessage(checkpoint_text, timestamp), std::string_view(*raw).substr(12))) {
    return Status(Code::kInvalidArgument, "invalid cosignature by " + who);
  }
  return timestamp;
}

Result<SplitNote> Split(std::string_view note) {
  const Status bad(Code::kInvalidArgument, "malformed note");
  const auto split = note.rfind("\n\n");
  if (split == std::string_view::npos) return bad;
  SplitNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return bad;
  while (!sigs.empty()) {
    const auto nl = sigs.find('\n');
    const std::string_view line = sigs.substr(0, nl + 1);
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) return bad;
    out.lines.emplace_back(line);
    sigs.remove_prefix(nl + 1);
  }
  return out;
}

bool ParseLine(std::string_view line, std::string& name, std::string& base64) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) return false;
  line.remove_prefix(kSigPrefix.size());
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  name = std::string(line.substr(0, sp));
  base64 = std::string(line.substr(sp + 1));
  return true;
}

}  // namespace pilotledger::cosig
