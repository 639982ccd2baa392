// The verifier over HTTP. Apart from verifier.cc, so that the verifier, the proof bundles and the
// state files build without the network (fuzz/ links them).
#include "client/ledger_client.h"
#include "client/tlog_sources.h"
#include "client/verifier.h"

namespace pilotledger::client {

Result<VerifyReport> VerifyLedger(LedgerClient& client, const VerifyOptions& options) {
  ClientSource source(client);
  return VerifyLedger(source, options);
}

Result<std::vector<std::string>> FollowKeyRotations(LedgerClient& client, std::vector<std::string> chain) {
  ClientSource source(client);
  return FollowKeyRotations(source, std::move(chain));
}

}  // namespace pilotledger::client
