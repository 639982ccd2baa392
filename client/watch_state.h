#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace pilotledger::client {

// `pilotctl watch`'s memory between runs (its --state file): where to resume, and the last
// checkpoint it verified (so that every later one must extend it).
struct WatchState {
  uint64_t next = 0;
  std::string checkpoint;  // signed note, or empty
  std::string ledger_key;  // the verifier key pinned on the first run
  std::vector<std::string> keys;  // ledger_key, then the key of each rotation followed since
};

// Parses a state file's text {"checkpoint","keys","ledger_key","next"} strictly; an absent field is
// its default (absent keys: [ledger_key], as a file from before rotations has it). Errors: kMalformedJson, kSchemaViolation (not an object, a field of the wrong type).
// Never throws.
Result<WatchState> ParseWatchState(std::string_view text);
// The state file's text (canonical JSON and a newline).
std::string WatchStateText(const WatchState& state);

}  // namespace pilotledger::client
