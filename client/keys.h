#pragma once

#include <string>
#include <vector>

#include "client/ledger_client.h"
#include "ledger/canonical_json.h"

namespace pilotledger::client {

// Writes a new key file for `actor` (mode 0600, never overwriting): a comment line naming the
// actor, then the PKCS#8 PEM. Errors: kInvalidArgument (exists, cannot write).
Status SaveIdentity(const std::string& path, const Identity& identity);
// Reads a key file. `spec` is "PATH" (the actor comes from the file's "# pilotledger actor: ID"
// line) or "ACTOR=PATH". Errors: kNotFound, kInvalidArgument.
Result<Identity> LoadIdentity(const std::string& spec);
Result<std::vector<Identity>> LoadIdentities(const std::vector<std::string>& specs);

}  // namespace pilotledger::client
