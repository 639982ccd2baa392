#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/status.h"

namespace pilotledger::projections {

// A registered actor (PROTOCOL.md §5).
struct Actor {
  std::string id;
  std::string role;        // ministry | provincial | soe_group | expert | applicant | auditor
  std::string name;
  std::string region;      // provincial: the authority code it acts for
  std::string department;  // ministry: miit|mca|nhc; provincial: miit|civil|health
  std::string unit;        // applicant: its unit's credit code
  PublicKey key;
  uint64_t registered_seq = 0;
  std::optional<uint64_t> revoked_seq;

  bool active() const { return !revoked_seq.has_value(); }
  // The authority code this actor recommends for: the region of a provincial actor,
  // "soe:<id>" of an SOE group, empty otherwise.
  std::string authority() const;
};

// The ministry of a provincial department's line, which registers and retires it: "miit" for
// miit (industry and IT), "mca" for civil (civil affairs), "nhc" for health; empty otherwise.
std::string MinistryOfLine(const std::string& department);

// Where a descriptor comes from: a submission (every check, the public key's curve point too), or
// the log or a signed snapshot, whose keys were checked when their entry was admitted
// (PublicKey::FromTrustedRaw: only the key's length is checked again).
enum class Source { kSubmitted, kStored };

// Parses an actor descriptor (an `actor.registered` body or a genesis authority): exactly
// `actor`, `role`, `public_key`, `name`, plus `region`/`department`/`unit` as the role needs
// them (and nothing it does not), and optional `documents`. Field names in errors are prefixed
// with `where`. Errors: kSchemaViolation with details.field.
Result<Actor> ParseActor(const Json& descriptor, const std::string& where, Source source = Source::kSubmitted);

// The descriptor of `actor` (the registered body's fields) plus registered/revoked seqs.
Json ActorJson(const Actor& actor);

// Checks an optional `documents` list: [{name, sha256 (64 lowercase hex), bytes}].
Status CheckDocuments(const Json& body, const std::string& where);

}  // namespace pilotledger::projections
