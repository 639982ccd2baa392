#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/crypto.h"
#include "ledger/status.h"
#include "ledger/timestamp.h"

namespace pilotledger {

inline constexpr std::string_view kEventSigningPrefix = "pilotledger:event:v1\n";
inline constexpr std::string_view kGenesisType = "ledger.genesis";
// Written by `pilotledgerd rotate-key` only (PROTOCOL.md §11), signed by the old and the new ledger key.
inline constexpr std::string_view kKeyRotatedType = "ledger.key_rotated";
inline constexpr std::string_view kKeyRotationOldSigner = "ledger-key-old";
inline constexpr std::string_view kKeyRotationNewSigner = "ledger-key-new";
// The most signatures one event may carry: bounds the verification work per request.
inline constexpr size_t kMaxSignatures = 16;

// The event types of PROTOCOL.md §6. On the wire and in the store only by name (EventTypes()):
// the values are not a format.
enum class EventType {
  kGenesis,
  kActorRegistered,
  kActorRevoked,
  kCampaignOpened,
  kCampaignAmended,
  kQuotaException,
  kSubmissionFiled,
  kRecommendationIssued,
  kReviewRequested,
  kReviewRecommended,
  kScoreRecorded,
  kSpotcheckRecorded,
  kPublicationIssued,
  kObjectionFiled,
  kObjectionResolved,
  kTitleGranted,
  kReviewPassed,
  kTitleRevoked,
  kReviewScope,
  kReviewRequirements,
  kApplicationRejected,
  kReviewFailed,
  kCampaignClosed,
  kAssessmentRecorded,
  kKeyRotated,
};

// Each event type with its name, and whether anyone may read its events in full (§7): the one
// table that maps names to types.
struct EventTypeInfo {
  EventType type;
  std::string_view name;
  bool is_public;
};
const std::vector<EventTypeInfo>& EventTypes();
// nullptr for an unknown name.
const EventTypeInfo* FindEventType(std::string_view name);
// The row of `type` (never null: every EventType is in the table).
const EventTypeInfo* FindEventType(EventType type);
// The type named `name`; nullopt for an unknown name.
std::optional<EventType> EventTypeFromName(std::string_view name);
// The wire name of `type` ("title.revoked").
std::string_view EventTypeName(EventType type);

// An id (event ids and actor ids): 1–64 characters of [A-Za-z0-9._:-].
bool IsValidId(std::string_view id);

struct Signature {
  std::string signer;
  std::string sig;  // the raw 64 bytes
  // Not on the wire: the key this signature was found valid under by a check before sequencing,
  // so that the sequencer re-verifies only if the signer's key changed since.
  std::optional<std::array<uint8_t, 32>> verified_key;
};

// An event with its signatures, as submitted (PROTOCOL.md §2). Immutable once parsed.
struct SignedEvent {
  Json event;             // {"v","id","type","time","body"}
  std::string canonical;  // canonical(event): the signed bytes after the prefix
  std::string id;
  std::string type;  // the wire name of `kind`
  EventType kind = EventType::kGenesis;
  Timestamp time;
  std::vector<Signature> sigs;

  const Json& body() const { return event.at("body"); }
};

// The bytes an Ed25519 signature covers: kEventSigningPrefix + canonical(event).
std::string SigningInput(std::string_view canonical_event);

// Parses and checks a submission {"event":{…},"sigs":[…]}: strict JSON, exactly the envelope's
// fields, v = 1, a valid id, a known type, an RFC 3339 UTC time, an object body, 1–16 signatures
// by distinct valid ids with 64-byte base64 signatures. Errors: kMalformedJson, kSchemaViolation
// (with details.field).
// With `allow_unsigned`, an event with no signatures yet (a file travelling between signers).
Result<SignedEvent> ParseSubmission(std::string_view text, bool allow_unsigned = false);
Result<SignedEvent> SubmissionFromJson(Json envelope);
// Builds an unsigned SignedEvent (no sigs) from event fields; checks as ParseSubmission.
Result<SignedEvent> MakeEvent(std::string id, std::string type, Timestamp time, Json body);

// The envelope {"event","sigs"} with base64 signatures.
Json SubmissionJson(const SignedEvent& event);

// An appended entry (PROTOCOL.md §3).
struct Entry {
  uint64_t seq = 0;
  Timestamp received;
  SignedEvent signed_event;

  const std::string& type() const { return signed_event.type; }
  const Json& body() const { return signed_event.body(); }
};

// canonical({"event","received","seq","sigs"}): the Merkle leaf.
std::string EntryLeaf(const Entry& entry);
// Parses a leaf back into an entry (checking it as a submission, but allowing the genesis entry's
// empty sigs). Errors: kDataLoss when stored bytes do not parse (they were written canonical).
Result<Entry> ParseEntryLeaf(std::string_view leaf);
// The same entry, read from a leaf the log already holds (its bytes are proven by the Merkle tree
// and were checked by ParseEntryLeaf's rules when admitted): the canonical event is the leaf's own
// bytes, not written again, and the envelope is read without a DOM; only the event is parsed (by
// ReadCanonicalJson).
// Whatever does not have the form EntryLeaf writes falls back to ParseEntryLeaf (and its error).
Result<Entry> ParseStoredEntryLeaf(std::string_view leaf);
Result<Entry> EntryFromJson(const Json& entry_json);

}  // namespace pilotledger
