#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

// C2SP tlog-cosignature v1 with Ed25519 (signature type 0x04): cosigner keys, the cosignature
// line a witness adds to a checkpoint, and its verification.
namespace pilotledger::cosig {

struct Cosigner {
  std::string name;
  uint32_t key_id = 0;
  PublicKey key;
};

// The first 4 bytes of SHA-256(name || '\n' || 0x04 || public key), big-endian.
uint32_t KeyId(std::string_view name, const PublicKey& key);
// "<name>+<key id as 8 hex digits>+<base64(0x04 || public key)>".
std::string VerifierKeyString(std::string_view name, const PublicKey& key);
// Errors: kInvalidArgument naming what is wrong.
Result<Cosigner> ParseVerifierKey(std::string_view vkey);
// "PRIVATE+KEY+<name>+<key id>+<base64(0x04 || seed)>".
std::string SignerKeyString(std::string_view name, const PrivateKey& key);
struct Signer {
  std::string name;
  PrivateKey key;
};
Result<Signer> ParseSignerKey(std::string_view skey);

// "cosignature/v1\ntime <timestamp>\n" || the checkpoint note text (ending in '\n').
std::string SignedMessage(std::string_view checkpoint_text, uint64_t timestamp);
// "— <name> base64(key id || timestamp (8 bytes big-endian) || signature)\n".
std::string Cosign(std::string_view checkpoint_text, uint64_t timestamp, const Signer& signer);
// Checks the base64 part of a signature line by `cosigner` over `checkpoint_text`; returns its
// timestamp. Errors: kInvalidArgument (wrong length, key id or signature).
Result<uint64_t> Verify(const Cosigner& cosigner, std::string_view checkpoint_text, std::string_view base64);

// A signed note split into its text (ending in '\n') and its signature lines (each with its
// trailing '\n'). Errors: kInvalidArgument (no blank line, a line not starting with "— ").
struct SplitNote {
  std::string text;
  std::vector<std::string> lines;
};
Result<SplitNote> Split(std::string_view note);
// The name and base64 of one signature line ("— name base64\n").
bool ParseLine(std::string_view line, std::string& name, std::string& base64);

}  // namespace pilotledger::cosig
