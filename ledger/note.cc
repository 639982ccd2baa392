#include "ledger/note.h"

#include <cstdio>
#include <set>

#include "ledger/encoding.h"
#include "ledger/utf8.h"

namespace pilotledger::note {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // "— "
constexpr int kMaxSignatures = 100;
constexpr uint8_t kEd25519 = 0x01;

bool IsUnicodeSpace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

Status Malformed() { return Status(Code::kInvalidArgument, "malformed note"); }

// Splits at the first `sep`: "a+b+c" -> ("a", "b+c"); no separator -> (s, "") and false.
bool Chop(std::string_view s, char sep, std::string_view& before, std::string_view& after) {
  const auto i = s.find(sep);
  if (i == std::string_view::npos) return false;
  before = s.substr(0, i);
  after = s.substr(i + 1);
  return true;
}

uint32_t ReadBigEndian32(std::string_view b) {
  return (uint32_t(uint8_t(b[0])) << 24) | (uint32_t(uint8_t(b[1])) << 16) |
         (uint32_t(uint8_t(b[2])) << 8) | uint32_t(uint8_t(b[3]));
}

std::string BigEndian32(uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)};
}

// Parses "<name>+<hex8>+<base64>" (after any "PRIVATE+KEY+" prefix): name, id and key bytes.
bool SplitKey(std::string_view s, std::string_view& name, uint32_t& id, std::string& key) {
  std::string_view hex, b64;
  if (!Chop(s, '+', name, s) || !Chop(s, '+', hex, b64)) return false;
  if (!IsValidName(name) || hex.size() != 8) return false;
  const auto raw_id = HexDecode(hex);
  const auto raw_key = Base64Decode(b64);
  if (!raw_id || !raw_key || raw_key->empty()) return false;
  id = ReadBigEndian32(*raw_id);
  key = *raw_key;
  return true;
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.find('+') != std::string_view::npos) return false;
  size_t pos = 0;
  char32_t cp;
  while (pos < name.size()) {
    if (!NextUtf8(name, pos, cp) || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

uint32_t KeyId(std::string_view name, const PublicKey& key) {
  const char type = static_cast<char>(kEd25519);
  const Hash h = Sha256Parts({name, "\n", std::string_view(&type, 1), key.raw_bytes()});
  return ReadBigEndian32(AsBytes(h));
}

std::string VerifierKeyString(std::string_view name, const PublicKey& key) {
  return std::string(name) + "+" + Hex8(KeyId(name, key)) + "+" +
         Base64Encode(std::string(1, char(kEd25519)) + std::string(key.raw_bytes()));
}

Result<Verifier> ParseVerifierKey(std::string_view vkey) {
  // Says which part is wrong, so that a mistyped or truncated key can be corrected.
  const auto bad = [&](const std::string& why) {
    // Printable: the key may be any bytes (a mistyped --ledger-key); found by fuzz/note_fuzzer.cc.
    return Status(Code::kInvalidArgument, "malformed verifier key \"" + Printable(vkey) + "\": " + why +
                                              " (a key is <origin>+<8 hex digit key id>+<base64 key>, as GET /v1/ledger-key serves it)");
  };
  std::string_view name, hex, b64, rest;
  if (!Chop(vkey, '+', name, rest) || !Chop(rest, '+', hex, b64)) return bad("it does not have the three parts separated by '+'");
  if (!IsValidName(name)) return bad("the origin \"" + Printable(name) + "\" is empty or contains a space or '+'");
  const auto raw_id = HexDecode(hex);
  // Lower case only, as keys are written: a key has one spelling, so that keys compare as strings
  // (state files, /v1/ledger-keys); found by fuzz/note_fuzzer.cc ("530D903a" was accepted).
  const bool lower = hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  if (hex.size() != 8 || !raw_id || !lower) return bad("the key id \"" + Printable(hex) + "\" is not 8 lower-case hex digits");
  const auto raw_key = Base64Decode(b64);
  if (!raw_key) return bad("the key part is not valid base64");
  if (raw_key->size() != 33 || uint8_t((*raw_key)[0]) != kEd25519) {
    return bad("the key part decodes to " + std::to_string(raw_key->size()) +
               " bytes, not 33 (the type byte 0x01 and a 32-byte Ed25519 key); is it truncated?");
  }
  Result<PublicKey> pub = PublicKey::FromRaw(std::string_view(*raw_key).substr(1));
  if (!pub.ok()) return bad("the key part is not an Ed25519 public key");
  const uint32_t id = ReadBigEndian32(*raw_id);
  if (KeyId(name, *pub) != id) {
    return bad("the key id " + std::string(hex) + " does not match the origin and the key (they give " + Hex8(KeyId(name, *pub)) +
               "): the origin or the key was mistyped");
  }
  return Verifier{std::string(name), id, *pub};
}

std::string SignerKeyString(std::string_view name, const PrivateKey& key) {
  return "PRIVATE+KEY+" + std::string(name) + "+" + Hex8(KeyId(name, key.public_key())) + "+" +
         Base64Encode(std::string(1, char(kEd25519)) + key.Seed());
}

Result<Signer> ParseSignerKey(std::string_view skey) {
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  const Status bad(Code::kInvalidArgument, "malformed signer key");
  if (skey.substr(0, kPrefix.size()) != kPrefix) return bad;
  std::string_view name;
  uint32_t id = 0;
  std::string key;
  if (!SplitKey(skey.substr(kPrefix.size()), name, id, key)) return bad;
  if (uint8_t(key[0]) != kEd25519 || key.size() != 33) return bad;
  Result<PrivateKey> priv = PrivateKey::FromSeed(std::string_view(key).substr(1));
  if (!priv.ok() || KeyId(name, priv->public_key()) != id) return bad;
  return Signer{std::string(name), *priv};
}

std::string Sign(std::string_view text, std::string_view name, const PrivateKey& key) {
  const std::string sig = key.Sign(text);
  return std::string(text) + "\n" + std::string(kSigPrefix) + std::string(name) + " " +
         Base64Encode(BigEndian32(KeyId(name, key.public_key())) + sig) + "\n";
}

Result<OpenedNote> Open(std::string_view msg, const std::vector<Verifier>& known) {
  // Valid UTF-8 with no control characters but newline.
  size_t pos = 0;
  char32_t cp;
  while (pos < msg.size()) {
    if (!NextUtf8(msg, pos, cp) || (cp < 0x20 && cp != '\n')) return Malformed();
  }
  // The last blank line separates the text from the signature block.
  const auto split = msg.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed();
  OpenedNote note;
  note.text = std::string(msg.substr(0, split + 1));
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Malformed();

  std::set<std::pair<std::string, uint32_t>> seen;
  std::set<std::string> seen_unverified;
  int count = 0;
  while (!sigs.empty()) {
    const auto nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) return Malformed();
    line.remove_prefix(kSigPrefix.size());
    std::string_view name, b64;
    if (!Chop(line, ' ', name, b64)) {
      name = line;
      b64 = {};
    }
    const auto sig = Base64Decode(b64);
    if (!sig || !IsValidName(name) || b64.empty() || sig->size() < 5) return Malformed();
    if (++count > kMaxSignatures) return Malformed();
    const uint32_t id = ReadBigEndian32(*sig);

    const Verifier* match = nullptr;
    for (const Verifier& v : known) {
      if (v.name != name || v.key_id != id) continue;
      if (match) return Status(Code::kInvalidArgument, "ambiguous key " + std::string(name) + "+" + Hex8(id));
      match = &v;
    }
    NoteSignature info{std::string(name), id, std::string(b64)};
    if (!match) {
      if (seen_unverified.insert(std::string(line)).second) note.unverified.push_back(std::move(info));
      continue;
    }
    if (!seen.insert({info.name, id}).second) continue;
    if (!match->key.Verify(note.text, std::string_view(*sig).substr(4))) {
      return Status(Code::kInvalidArgument, "invalid signature for key " + info.name + "+" + Hex8(id));
    }
    note.verified.push_back(std::move(info));
  }
  if (note.verified.empty()) return Status(Code::kInvalidArgument, "note has no verifiable signatures");
  return note;
}

}  // namespace pilotledger::note
