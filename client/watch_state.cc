#include "client/watch_state.h"

#include "ledger/canonical_json.h"

namespace pilotledger::client {

Result<WatchState> ParseWatchState(std::string_view text) {
  PL_ASSIGN_OR_RETURN(Json j, ParseStrictJson(text));
  // Checked before it is read: a damaged file is refused, never thrown on.
  if (!j.is_object()) return SchemaViolation("", "a watch state file is a JSON object {next, checkpoint, ledger_key}");
  WatchState s;
  if (j.contains("next")) {
    if (!j["next"].is_number_integer() || j["next"].get<int64_t>() < 0) return SchemaViolation("next", "next must be a seq");
    s.next = j["next"].get<uint64_t>();
  }
  for (const auto& [name, slot] : {std::pair{"checkpoint", &s.checkpoint}, std::pair{"ledger_key", &s.ledger_key}}) {
    if (!j.contains(name)) continue;
    if (!j[name].is_string()) return SchemaViolation(name, std::string(name) + " must be a string");
    *slot = j[name].get<std::string>();
  }
  if (j.contains("keys")) {
    if (!j["keys"].is_array()) return SchemaViolation("keys", "keys must be an array of verifier keys");
    for (const Json& k : j["keys"]) {
      if (!k.is_string()) return SchemaViolation("keys", "keys must be an array of verifier keys");
      s.keys.push_back(k.get<std::string>());
    }
  } else if (!s.ledger_key.empty()) {
    s.keys = {s.ledger_key};
  }
  return s;
}

std::string WatchStateText(const WatchState& s) {
  return WriteCanonical({{"next", s.next}, {"checkpoint", s.checkpoint}, {"ledger_key", s.ledger_key}, {"keys", s.keys}}) + "\n";
}

}  // namespace pilotledger::client
