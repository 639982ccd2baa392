#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/crypto.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace pilotledger {

// A C2SP tlog-checkpoint: the origin, the tree size and its root.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  bool operator==(const Checkpoint&) const = default;
};

// "<origin>\n<size>\n<base64 root>\n".
std::string CheckpointText(const Checkpoint& checkpoint);
// Parses a checkpoint body; extension lines after the root are allowed and ignored.
// Errors: kInvalidArgument.
Result<Checkpoint> ParseCheckpointText(std::string_view text);
// The signed note of `checkpoint`, signed by `key` under the name = origin.
std::string SignCheckpoint(const Checkpoint& checkpoint, const PrivateKey& key);
// Opens a signed checkpoint with the ledger's verifier key; its origin must be the key's name.
// Errors: kInvalidArgument (malformed, wrong key, bad signature, origin mismatch).
Result<Checkpoint> VerifyCheckpoint(std::string_view signed_note, const note::Verifier& ledger_key);

}  // namespace pilotledger
