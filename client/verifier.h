#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/ledger_client.h"
#include "ledger/canonical_json.h"
#include "ledger/checkpoint.h"

namespace pilotledger::client {

struct VerifyOptions {
  // The verifier key the auditor trusts (not the one the server serves).
  std::string ledger_key;
  // A state file remembering the last verified checkpoint, tree and projections; empty: none.
  std::string state_file;
  // Compare every unit's and every campaign's quotas the server serves with the replay.
  bool compare_projections = true;
};

struct VerifyReport {
  std::string origin;
  uint64_t from = 0;           // entries already verified before (from the state file)
  uint64_t size = 0;           // entries verified now in total
  uint64_t signatures = 0;     // signatures checked in this run
  uint64_t units = 0;          // units compared
  uint64_t campaigns = 0;      // campaigns' quotas compared
  std::string root;            // base64 root at `size`
  std::string ledger_key;      // the key the checkpoint is signed by (after the rotations)
  uint64_t rotations = 0;      // key rotations followed in this run
  double seconds = 0;

  Json ToJson() const;
};

// What the verifier reads from a ledger, as the public API serves it: LedgerClient over HTTP, or a
// crafted log in tests (tests/client/).
class LedgerSource {
 public:
  virtual ~LedgerSource() = default;
  // GET /v1/checkpoint: the signed note.
  virtual Result<std::string> SignedCheckpoint() = 0;
  // GET /v1/proof/consistency?from&to: the proof hashes.
  virtual Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) = 0;
  // GET /v1/entries?from&limit: {"entries":[…]}.
  virtual Result<Json> Entries(uint64_t from, uint64_t limit) = 0;
  // The views compared with the replay: "/v1/units?limit=1000[&cursor=C]", "/v1/units/ID",
  // "/v1/campaigns/ID/quotas"; and "/v1/ledger-keys" (FollowKeyRotations).
  virtual Result<Json> GetJson(const std::string& target) = 0;
};

// An auditor's independent verification of a ledger through its public API (as an auditor, so that
// no entry is redacted): the checkpoint is signed by the trusted key; every entry from genesis (or
// from the state file's checkpoint, after a consistency proof from it) is canonical, at its seq
// without gaps, and admitted by the same rules the server enforces (every signature valid, every
// signer registered, active and allowed by the genesis policy, every body and rule satisfied at
// its `received` time); the leaves hash to the checkpoint's root; and, optionally, the projections
// served for every unit and campaign equal the replay. Updates the state file on success.
// Errors: kDataLoss naming the first entry, unit or campaign that fails, or the fork/rewrite;
// kUnauthenticated if entries are redacted; network errors.
Result<VerifyReport> VerifyLedger(LedgerSource& source, const VerifyOptions& options);
// The same over HTTP with `client`'s reader identity.
Result<VerifyReport> VerifyLedger(LedgerClient& client, const VerifyOptions& options);

// Extends `chain` (the ledger keys trusted so far, oldest first; not empty) by the rotations the
// server lists in /v1/ledger-keys after chain.back(): each one's ledger.key_rotated entry must name
// the key trusted so far as old_key and carry valid signatures by the old and the new key
// (projections::CheckKeyRotation). A server without /v1/ledger-keys (404), or whose list lacks
// chain.back() (not this ledger's key), leaves the chain as is.
// Errors: kDataLoss naming the entry of the refused rotation; network errors.
Result<std::vector<std::string>> FollowKeyRotations(LedgerSource& source, std::vector<std::string> chain);
Result<std::vector<std::string>> FollowKeyRotations(LedgerClient& client, std::vector<std::string> chain);

// An offline proof that an entry is in the log (pilotctl proof, verify-bundle):
// {"format","entry","checkpoint","inclusion":{"index","size","hashes"}}.
inline constexpr std::string_view kProofBundleFormat = "pilotledger-proof-bundle/v1";
// Checks a bundle with no network: the checkpoint is signed by `key` and the entry (full, or
// redacted with its leaf hash) is included at its seq in the tree of the checkpoint's size.
// Returns the entry. Errors: kInvalidArgument (not a bundle, missing parts), kDataLoss (a bad
// signature, a malformed entry, a proof for another entry or size, a proof that does not verify).
Result<Json> CheckProofBundle(const Json& bundle, const note::Verifier& key);
// Checks that `inclusion` ({index, size, hashes}) proves the leaf `leaf_hash` at `seq` in the tree
// of `cp`; `what` names the entry in the errors. Errors: kDataLoss.
Status CheckInclusionProof(const Json& inclusion, uint64_t seq, const Hash& leaf_hash, const Checkpoint& cp, const std::string& what);

}  // namespace pilotledger::client
