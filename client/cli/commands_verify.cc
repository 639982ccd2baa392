// Auditors' and watchers' commands: verify, watch, proof, verify-bundle (added with the
// verification issue).
#include "client/cli/cli.h"

namespace pilotledger::cli {

void AddVerifyCommands(std::vector<Command>&) {}

}  // namespace pilotledger::cli
