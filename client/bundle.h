#pragma once

#include <cstdint>
#include <string>

#include "ledger/canonical_json.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace pilotledger::client {

// What `pilotctl verify-bundle` proved about a proof bundle (client/verifier.h's format, plus the
// optional "signers": each signer's registration entry with its inclusion proof in the same tree).
struct BundleReport {
  Json entry;                // the entry as the bundle carries it (full, or redacted)
  bool redacted = false;
  uint64_t seq = 0;
  std::string type;          // the entry's event type
  std::string id;            // its event id (full entries only)
  std::string received;      // when the ledger received it (full entries only)
  uint64_t tree_size = 0;    // the size of the signed tree it is proven in
  bool signatures_checked = false;  // a full entry with the signers' registrations
  size_t signatures = 0;     // how many of its signatures verified (all, if checked)
  size_t sig_count = 0;      // how many it carries
};

// Checks a whole bundle (as ParseStrictJson read it from its file) with no network:
// CheckProofBundle, and, if the bundle carries the signers' registrations, every signature with the
// key its registration records (each registration proven in the same signed tree).
// Errors: kInvalidArgument (not a bundle, missing parts), kDataLoss (anything that does not
// verify). Never throws, whatever the bundle holds.
Result<BundleReport> VerifyProofBundle(const Json& bundle, const note::Verifier& key);

}  // namespace pilotledger::client
