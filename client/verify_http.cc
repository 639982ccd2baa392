// The verifier over HTTP: LedgerClient as a LedgerSource. Apart from verifier.cc, so that the
// verifier, the proof bundles and the state files build without the network (fuzz/ links them).
#include "client/ledger_client.h"
#include "client/verifier.h"

namespace pilotledger::client {
namespace {

// LedgerClient as a LedgerSource.
class HttpSource final : public LedgerSource {
 public:
  explicit HttpSource(LedgerClient& c) : c_(c) {}
  Result<std::string> SignedCheckpoint() override { return c_.SignedCheckpoint(); }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) override { return c_.ConsistencyProof(from, to); }
  Result<Json> Entries(uint64_t from, uint64_t limit) override { return c_.Entries(from, limit); }
  Result<Json> GetJson(const std::string& target) override { return c_.GetJson(target); }

 private:
  LedgerClient& c_;
};

}  // namespace

Result<VerifyReport> VerifyLedger(LedgerClient& client, const VerifyOptions& options) {
  HttpSource source(client);
  return VerifyLedger(source, options);
}

}  // namespace pilotledger::client
