#include "ledger/checkpoint.h"

#include <charconv>

namespace pilotledger {

std::string CheckpointText(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" + HashBase64(c.root) + "\n";
}

Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  const Status bad(Code::kInvalidArgument, "malformed checkpoint");
  Checkpoint c;
  std::string_view lines[3];
  for (auto& line : lines) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return bad;
    line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
  }
  if (lines[0].empty()) return bad;
  c.origin = std::string(lines[0]);
  const std::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0')) return bad;
  const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || end != size.data() + size.size()) return bad;
  Result<Hash> root = HashFromBase64(lines[2]);
  if (!root.ok()) return bad;
  c.root = *root;
  return c;
}

std::string SignCheckpoint(const Checkpoint& checkpoint, const PrivateKey& key) {
  return note::Sign(CheckpointText(checkpoint), checkpoint.origin, key);
}

Result<Checkpoint> VerifyCheckpoint(std::string_view signed_note, const note::Verifier& ledger_key) {
  PL_ASSIGN_OR_RETURN(note::OpenedNote opened, note::Open(signed_note, {ledger_key}));
  PL_ASSIGN_OR_RETURN(Checkpoint c, ParseCheckpointText(opened.text));
  if (c.origin != ledger_key.name) {
    return Status(Code::kInvalidArgument,
                  "checkpoint origin \"" + c.origin + "\" is not the key's name \"" + ledger_key.name + "\"");
  }
  return c;
}

}  // namespace pilotledger
