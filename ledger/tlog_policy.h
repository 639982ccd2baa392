#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "ledger/status.h"

// C2SP tlog-policy files (log, witness, group and quorum lines) and checking a cosigned checkpoint
// against one.
namespace pilotledger::policy {

struct Witness {
  std::string name;  // the policy's name for it
  cosig::Cosigner key;
  std::string url;  // its submission prefix; may be empty
};
struct Group {
  std::string name;
  size_t threshold = 0;
  std::vector<std::string> members;
};
struct Policy {
  std::vector<note::Verifier> logs;
  std::vector<std::string> log_urls;  // same order as logs; may be empty strings
  std::vector<Witness> witnesses;
  std::vector<Group> groups;  // in definition order; a group names only earlier ones
  std::string quorum;         // a witness, a group, or "none"
};

// Errors: kInvalidArgument "policy line N: …".
Result<Policy> Parse(std::string_view text);
Result<Policy> Load(const std::string& path);

// Whether the witnesses named in `cosigned` (policy names) satisfy the quorum.
bool QuorumMet(const Policy& policy, const std::set<std::string>& cosigned);

struct Witnessed {
  Checkpoint checkpoint;
  std::set<std::string> cosigned;       // policy names with a valid cosignature
  std::vector<std::string> missing;     // policy witnesses without one, in policy order
  std::map<std::string, uint64_t> times;  // cosignature timestamps by policy name
};
// Opens `note` with `log_key`, then verifies every cosignature by a policy witness. Errors
// (kForbidden): the quorum is not met, naming the witnesses whose cosignature is missing or
// invalid; kInvalidArgument: the note itself does not verify.
Result<Witnessed> CheckCheckpoint(std::string_view note, const note::Verifier& log_key, const Policy& policy);

}  // namespace pilotledger::policy
