// A small ledger every fuzz target that needs one shares: a genesis with the ministries miit, mca
// and nhc, an expert, a provincial department of Guangdong and an auditor registered, and the 2023
// campaign (with the 2017–2019 batches it reviews) opened from the real rule files, all at fixed times and signed with keys from fixed
// seeds. The targets re-sign what a fuzzer sends in these actors' names (Resign), so that their
// inputs get past the signature checks into the policy, the bodies and the rules.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "ledger/timestamp.h"
#include "projections/state.h"

namespace pilotledger::fuzz {

struct World {
  std::string origin = "fuzz.pilotledger/log";
  PrivateKey ledger_key;
  std::string verifier_key;
  std::map<std::string, PrivateKey> keys;  // by actor id
  Json authorities;                        // the genesis authorities
  Json policy;                             // the genesis policy (the default one)
  std::vector<SignedEvent> events;         // after the genesis, in order
  std::vector<Entry> entries;              // genesis and events as appended
  projections::State state;                // after all of them
  Timestamp now;                           // the ledger clock the targets check at

  // The log of `entries` as a server serves it: proofs, roots and checkpoints signed by the ledger key.
  std::map<std::pair<uint8_t, uint64_t>, Hash> nodes;
  std::vector<Hash> Inclusion(uint64_t index, uint64_t size) const;
  std::vector<Hash> Consistency(uint64_t from, uint64_t to) const;
  Hash Root(uint64_t size) const;
  std::string SignedCheckpoint(uint64_t size) const;
  // Entry `seq` as GET /v1/entries serves it to an auditor.
  Json EntryJson(uint64_t seq) const;

  // Replaces every signature by an actor of the world with a real one over `event`.
  void Resign(SignedEvent& event) const;
  // A PilotLedger-Sig read signature of `actor` (base64) over METHOD, target and time.
  std::string ReadSignature(const std::string& actor, const std::string& method, const std::string& target,
                            const std::string& time) const;
};

// Built on first use (aborts if anything in it is refused: the world must stay valid).
const World& TheWorld();

// A clock that always reads `t`.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp t) : t_(t) {}
  Timestamp Now() const override { return t_; }

 private:
  Timestamp t_;
};

}  // namespace pilotledger::fuzz
