#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

// C2SP signed-note with Ed25519 keys (signature type 0x01), with the semantics of
// golang.org/x/mod/sumdb/note: verifier keys, signing, and opening a note against known keys.
namespace pilotledger::note {

// A key name: non-empty UTF-8 with no '+' and no Unicode white space.
bool IsValidName(std::string_view name);
// The first 4 bytes of SHA-256(name || '\n' || 0x01 || public key), big-endian.
uint32_t KeyId(std::string_view name, const PublicKey& key);

struct Verifier {
  std::string name;
  uint32_t key_id = 0;
  PublicKey key;
};

// "<name>+<key id as 8 hex digits>+<base64(0x01 || public key)>".
std::string VerifierKeyString(std::string_view name, const PublicKey& key);
// Parses and checks a verifier key string (name, 8 hex digits, Ed25519 type, 32-byte key, key id).
// Errors: kInvalidArgument.
Result<Verifier> ParseVerifierKey(std::string_view vkey);

// "PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>", as sumdb/note's signer keys.
std::string SignerKeyString(std::string_view name, const PrivateKey& key);
struct Signer {
  std::string name;
  PrivateKey key;
};
Result<Signer> ParseSignerKey(std::string_view skey);

// Signs `text` (REQUIRES: valid, ends with '\n') and returns the note: text, blank line, signature line.
std::string Sign(std::string_view text, std::string_view name, const PrivateKey& key);

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string base64;
};
struct OpenedNote {
  std::string text;  // ends with '\n'
  std::vector<NoteSignature> verified;
  std::vector<NoteSignature> unverified;  // from keys not in `known`
};

// Parses `note` and verifies every signature by a key in `known`; signatures by other keys are
// kept as unverified. Errors (kInvalidArgument): "malformed note", "ambiguous key NAME+ID",
// "invalid signature for key NAME+ID", "note has no verifiable signatures".
Result<OpenedNote> Open(std::string_view note, const std::vector<Verifier>& known);

}  // namespace pilotledger::note
