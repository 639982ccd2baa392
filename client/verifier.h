#pragma once

#include <cstdint>
#include <string>

#include "client/ledger_client.h"
#include "ledger/canonical_json.h"

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
  double seconds = 0;

  Json ToJson() const;
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
Result<VerifyReport> VerifyLedger(LedgerClient& client, const VerifyOptions& options);

}  // namespace pilotledger::client
