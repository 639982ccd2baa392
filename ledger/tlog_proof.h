#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

// C2SP tlog-proof@v1: an offline inclusion proof with its (cosigned) checkpoint in one text file.
namespace pilotledger::tlogproof {

inline constexpr std::string_view kHeader = "c2sp.org/tlog-proof@v1";

struct Proof {
  std::string extra;  // raw bytes of the optional extra line (PilotLedger: the entry's leaf); may be empty
  uint64_t index = 0;
  std::vector<Hash> hashes;  // leaf side first
  std::string checkpoint;    // the signed note, verbatim
};

std::string Format(const Proof& proof);
// Errors: kInvalidArgument naming the line.
Result<Proof> Parse(std::string_view text);

}  // namespace pilotledger::tlogproof
