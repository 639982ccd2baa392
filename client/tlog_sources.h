#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "client/ledger_client.h"
#include "client/verifier.h"
#include "ledger/tiles.h"
#include "ledger/tlog_policy.h"

// Ledger sources for the verifier beyond the JSON API: the C2SP tlog-tiles read API, and a source
// that refuses a checkpoint without the witness quorum of a tlog-policy.
namespace pilotledger::client {

// LedgerClient's JSON API as a LedgerSource.
class ClientSource final : public LedgerSource {
 public:
  explicit ClientSource(LedgerClient& c) : c_(c) {}
  Result<std::string> SignedCheckpoint() override { return c_.SignedCheckpoint(); }
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) override { return c_.ConsistencyProof(from, to); }
  Result<Json> Entries(uint64_t from, uint64_t limit) override { return c_.Entries(from, limit); }
  Result<Json> GetJson(const std::string& target) override { return c_.GetJson(target); }

 private:
  LedgerClient& c_;
};

// The log read from /tlog/: the checkpoint, entries from entry bundles, consistency proofs computed
// from hash tiles (for the size of the last checkpoint read). An entry over 65,535 bytes, which a
// bundle carries as a stub, is read from /v1/entries/{seq}. GetJson goes to the JSON API.
class TilesSource final : public LedgerSource {
 public:
  explicit TilesSource(LedgerClient& c) : c_(c) {}
  Result<std::string> SignedCheckpoint() override;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) override;
  Result<Json> Entries(uint64_t from, uint64_t limit) override;
  Result<Json> GetJson(const std::string& target) override { return c_.GetJson(target); }
  // The hash of the complete subtree (level, index) from the tiles. REQUIRES: a checkpoint was read.
  Result<Hash> Node(uint8_t level, uint64_t index);

 private:
  Result<std::string> Fetch(const tiles::Tile& tile);
  tiles::Tile TileFor(bool entries, uint8_t level, uint64_t index) const;

  LedgerClient& c_;
  uint64_t size_ = 0;
  std::map<std::tuple<bool, uint8_t, uint64_t, uint32_t>, std::string> cache_;
};

// Forwards to `inner`, but a checkpoint must carry the quorum of `policy`'s witnesses; otherwise
// the error names the missing witnesses and, asking each witness with a URL for the last
// checkpoint it cosigned (tlog-witness monitor retrieval), any fork that checkpoint proves.
class WitnessedSource final : public LedgerSource {
 public:
  WitnessedSource(LedgerSource& inner, note::Verifier key, policy::Policy policy, ClientOptions options)
      : inner_(inner), key_(std::move(key)), policy_(std::move(policy)), options_(std::move(options)) {}
  Result<std::string> SignedCheckpoint() override;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) override { return inner_.ConsistencyProof(from, to); }
  Result<Json> Entries(uint64_t from, uint64_t limit) override { return inner_.Entries(from, limit); }
  Result<Json> GetJson(const std::string& target) override { return inner_.GetJson(target); }

 private:
  LedgerSource& inner_;
  const note::Verifier key_;
  const policy::Policy policy_;
  const ClientOptions options_;
};

// What the witnesses of `policy` that have URLs last cosigned for the log of `key`, compared with
// the checkpoint `cp` (and proofs from `source`): one sentence per witness whose checkpoint this
// ledger contradicts ("FORK: …"), empty if none does.
std::string FindForks(const Checkpoint& cp, LedgerSource& source, const note::Verifier& key, const policy::Policy& policy,
                      const ClientOptions& options);

}  // namespace pilotledger::client
