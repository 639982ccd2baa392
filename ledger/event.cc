#include "ledger/event.h"

#include <cstring>

#include "ledger/encoding.h"

namespace pilotledger {
namespace {

// Checks that `object` has exactly the keys `names`.
Status ExactKeys(const Json& object, std::initializer_list<std::string_view> names, const std::string& where) {
  if (!object.is_object()) {
    return SchemaViolation(where, where.empty() ? "the submission must be an object {\"event\":…,\"sigs\":[…]}" : where + " must be an object");
  }
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view n : names) known = known || key == n;
    if (!known) {
      return SchemaViolation(where.empty() ? key : where + "." + key, "unknown field \"" + key + "\"");
    }
  }
  for (std::string_view n : names) {
    if (!object.contains(n)) {
      const std::string field = where.empty() ? std::string(n) : where + "." + std::string(n);
      return SchemaViolation(field, "missing field \"" + field + "\"");
    }
  }
  return Status::Ok();
}

// The event's fields checked and taken into `out`: all but its canonical bytes and its value.
Status CheckEventFields(const Json& event, SignedEvent& out) {
  PL_RETURN_IF_ERROR(ExactKeys(event, {"v", "id", "type", "time", "body"}, "event"));
  const Json& v = event["v"];
  if (!v.is_number_integer() || v.get<int64_t>() != 1) return SchemaViolation("event.v", "event.v must be 1");
  const Json& id = event["id"];
  if (!id.is_string() || !IsValidId(id.get_ref<const std::string&>())) {
    return SchemaViolation("event.id", "event.id must be 1-64 characters of [A-Za-z0-9._:-]");
  }
  const Json& type = event["type"];
  const EventTypeInfo* info = type.is_string() ? FindEventType(type.get_ref<const std::string&>()) : nullptr;
  if (!info) return SchemaViolation("event.type", "unknown event type " + type.dump());
  const Json& time = event["time"];
  if (!time.is_string()) return SchemaViolation("event.time", "event.time must be an RFC 3339 UTC string");
  Result<Timestamp> t = ParseRfc3339(time.get_ref<const std::string&>(), TimeZoneRule::kUtcOnly);
  if (!t.ok()) return SchemaViolation("event.time", t.status().message());
  if (!event["body"].is_object()) return SchemaViolation("event.body", "event.body must be an object");
  out.id = id.get<std::string>();
  out.type = type.get<std::string>();
  out.kind = info->type;
  out.time = *t;
  return Status::Ok();
}

Status CheckEvent(const Json& event, SignedEvent& out) {
  PL_RETURN_IF_ERROR(CheckEventFields(event, out));
  out.canonical = WriteCanonical(event);
  out.event = event;
  return Status::Ok();
}

// What CheckSigs requires of the list beyond each signature's form: 1–kMaxSignatures of them
// (none only where allowed), every signer an actor id, none twice.
bool SignatureListOk(const std::vector<Signature>& sigs, bool allow_empty) {
  if ((sigs.empty() && !allow_empty) || sigs.size() > kMaxSignatures) return false;
  for (size_t i = 0; i < sigs.size(); ++i) {
    if (!IsValidId(sigs[i].signer)) return false;
    for (size_t k = 0; k < i; ++k) {
      if (sigs[k].signer == sigs[i].signer) return false;
    }
  }
  return true;
}

Status CheckSigs(const Json& sigs, bool allow_empty, SignedEvent& out) {
  if (!sigs.is_array()) return SchemaViolation("sigs", "sigs must be an array");
  if (sigs.empty() && !allow_empty) return SchemaViolation("sigs", "an event needs at least one signature");
  if (sigs.size() > kMaxSignatures) {
    return SchemaViolation("sigs", "at most " + std::to_string(kMaxSignatures) + " signatures");
  }
  for (size_t i = 0; i < sigs.size(); ++i) {
    const std::string where = "sigs[" + std::to_string(i) + "]";
    PL_RETURN_IF_ERROR(ExactKeys(sigs[i], {"signer", "sig"}, where));
    const Json& signer = sigs[i]["signer"];
    const Json& sig = sigs[i]["sig"];
    if (!signer.is_string() || !IsValidId(signer.get_ref<const std::string&>())) {
      return SchemaViolation(where + ".signer", "signer must be an actor id");
    }
    std::optional<std::string> raw;
    if (sig.is_string()) raw = Base64Decode(sig.get_ref<const std::string&>());
    if (!raw || raw->size() != 64) {
      return SchemaViolation(where + ".sig", "sig must be a 64-byte Ed25519 signature in standard base64");
    }
    for (const Signature& earlier : out.sigs) {
      if (earlier.signer == signer.get_ref<const std::string&>()) {
        return SchemaViolation(where + ".signer", "signer " + earlier.signer + " signs twice");
      }
    }
    out.sigs.push_back({signer.get<std::string>(), std::move(*raw)});
  }
  return Status::Ok();
}

Result<SignedEvent> FromEnvelope(const Json& envelope, bool allow_empty_sigs) {
  PL_RETURN_IF_ERROR(ExactKeys(envelope, {"event", "sigs"}, ""));
  SignedEvent out;
  PL_RETURN_IF_ERROR(CheckEvent(envelope["event"], out));
  PL_RETURN_IF_ERROR(CheckSigs(envelope["sigs"], allow_empty_sigs, out));
  return out;
}

}  // namespace

const std::vector<EventTypeInfo>& EventTypes() {
  using T = EventType;
  static const std::vector<EventTypeInfo> types = {
      {T::kGenesis, "ledger.genesis", true},
      {T::kActorRegistered, "actor.registered", true},
      {T::kActorRevoked, "actor.revoked", true},
      {T::kCampaignOpened, "campaign.opened", true},
      {T::kCampaignAmended, "campaign.amended", true},
      {T::kQuotaException, "quota.exception", false},
      {T::kSubmissionFiled, "submission.filed", false},
      {T::kRecommendationIssued, "recommendation.issued", false},
      {T::kReviewRequested, "review.requested", false},
      {T::kReviewRecommended, "review.recommended", false},
      {T::kScoreRecorded, "score.recorded", false},
      {T::kSpotcheckRecorded, "spotcheck.recorded", false},
      {T::kPublicationIssued, "publication.issued", true},
      {T::kObjectionFiled, "objection.filed", false},
      {T::kObjectionResolved, "objection.resolved", false},
      {T::kTitleGranted, "title.granted", true},
      {T::kReviewPassed, "review.passed", true},
      {T::kTitleRevoked, "title.revoked", true},
      {T::kReviewScope, "review.scope", true},
      {T::kReviewRequirements, "review.requirements", true},
      {T::kApplicationRejected, "application.rejected", false},
      {T::kReviewFailed, "review.failed", false},
      {T::kCampaignClosed, "campaign.closed", true},
      {T::kAssessmentRecorded, "assessment.recorded", false},
      {T::kKeyRotated, "ledger.key_rotated", true},
  };
  return types;
}

const EventTypeInfo* FindEventType(std::string_view name) {
  for (const EventTypeInfo& info : EventTypes()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::optional<EventType> EventTypeFromName(std::string_view name) {
  const EventTypeInfo* info = FindEventType(name);
  if (!info) return std::nullopt;
  return info->type;
}

const EventTypeInfo* FindEventType(EventType type) {
  for (const EventTypeInfo& info : EventTypes()) {
    if (info.type == type) return &info;
  }
  return nullptr;  // every EventType is in the table (event_type_test)
}

std::string_view EventTypeName(EventType type) {
  const EventTypeInfo* info = FindEventType(type);
  return info ? info->name : std::string_view();
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string SigningInput(std::string_view canonical_event) {
  std::string input;
  input.reserve(kEventSigningPrefix.size() + canonical_event.size());
  input.append(kEventSigningPrefix);
  input.append(canonical_event);
  return input;
}

Result<SignedEvent> ParseSubmission(std::string_view text, bool allow_unsigned) {
  PL_ASSIGN_OR_RETURN(Json envelope, ParseStrictJson(text));
  return FromEnvelope(envelope, allow_unsigned);
}

Result<SignedEvent> SubmissionFromJson(Json envelope) {
  return FromEnvelope(envelope, /*allow_empty_sigs=*/false);
}

Result<SignedEvent> MakeEvent(std::string id, std::string type, Timestamp time, Json body) {
  Json event = {{"v", 1}, {"id", std::move(id)}, {"type", std::move(type)},
                {"time", FormatRfc3339Seconds(time)}, {"body", std::move(body)}};
  SignedEvent out;
  PL_RETURN_IF_ERROR(CheckEvent(event, out));
  return out;
}

Json SubmissionJson(const SignedEvent& e) {
  Json sigs = Json::array();
  for (const Signature& s : e.sigs) sigs.push_back({{"signer", s.signer}, {"sig", Base64Encode(s.sig)}});
  return {{"event", e.event}, {"sigs", std::move(sigs)}};
}

std::string EntryLeaf(const Entry& entry) {
  const SignedEvent& e = entry.signed_event;
  std::string out;
  out.reserve(e.canonical.size() + 64 + e.sigs.size() * 140);
  out += "{\"event\":";
  out += e.canonical;
  out += ",\"received\":\"";
  out += FormatRfc3339Millis(entry.received);
  out += "\",\"seq\":";
  out += std::to_string(entry.seq);
  out += ",\"sigs\":[";
  for (size_t i = 0; i < e.sigs.size(); ++i) {
    if (i) out += ',';
    out += "{\"sig\":\"";
    out += Base64Encode(e.sigs[i].sig);
    out += "\",\"signer\":";
    AppendCanonicalString(e.sigs[i].signer, out);
    out += '}';
  }
  out += "]}";
  return out;
}

Result<Entry> EntryFromJson(const Json& j) {
  PL_RETURN_IF_ERROR(ExactKeys(j, {"seq", "received", "event", "sigs"}, "entry"));
  Entry entry;
  if (!j["seq"].is_number_integer() || j["seq"].get<int64_t>() < 0) {
    return SchemaViolation("entry.seq", "seq must be a non-negative integer");
  }
  entry.seq = j["seq"].get<uint64_t>();
  if (!j["received"].is_string()) return SchemaViolation("entry.received", "received must be a string");
  PL_ASSIGN_OR_RETURN(entry.received, ParseRfc3339(j["received"].get_ref<const std::string&>()));
  const Json& event = j["event"];
  const bool genesis = event.is_object() && event.contains("type") && event["type"].is_string() &&
                       EventTypeFromName(event["type"].get_ref<const std::string&>()) == EventType::kGenesis;
  PL_ASSIGN_OR_RETURN(entry.signed_event,
                      FromEnvelope({{"event", j["event"]}, {"sigs", j["sigs"]}}, genesis));
  return entry;
}

Result<Entry> ParseEntryLeaf(std::string_view leaf) {
  Result<Json> j = ParseStrictJson(leaf);
  if (!j.ok()) return Status(Code::kDataLoss, "stored entry does not parse: " + j.status().message());
  Result<Entry> entry = EntryFromJson(*j);
  if (!entry.ok()) return Status(Code::kDataLoss, "stored entry is invalid: " + entry.status().message());
  return entry;
}

namespace {

// Consumes `prefix` from the front of `s`.
bool Eat(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Consumes characters up to (not including) `stop`, which must follow; no escapes are expected.
bool Until(std::string_view& s, char stop, std::string_view& out) {
  const size_t end = s.find(stop);
  if (end == std::string_view::npos) return false;
  out = s.substr(0, end);
  s.remove_prefix(end);
  return out.find('\\') == std::string_view::npos;
}

// The tail EntryLeaf writes after the event: ,"received":"…","seq":N,"sigs":[{"sig":"…","signer":"…"},…]}
bool ParseStoredTail(std::string_view tail, Entry& entry) {
  std::string_view received, seq, value;
  if (!Eat(tail, ",\"received\":\"") || !Until(tail, '"', received) || !Eat(tail, "\",\"seq\":") || !Until(tail, ',', seq) ||
      !Eat(tail, ",\"sigs\":[")) {
    return false;
  }
  Result<Timestamp> t = ParseRfc3339(received);
  // As JSON reads it (ParseStrictJson): no leading zero, at most 2^53 - 1.
  if (!t.ok() || seq.empty() || seq.size() > 16 || (seq.size() > 1 && seq[0] == '0')) return false;
  entry.received = *t;
  entry.seq = 0;
  for (const char c : seq) {
    if (c < '0' || c > '9') return false;
    entry.seq = entry.seq * 10 + uint64_t(c - '0');
  }
  if (entry.seq > uint64_t(kMaxSafeInteger)) return false;
  while (!Eat(tail, "]}")) {
    if (!entry.signed_event.sigs.empty() && !Eat(tail, ",")) return false;
    Signature sig;
    if (!Eat(tail, "{\"sig\":\"") || !Until(tail, '"', value)) return false;
    std::optional<std::string> raw = Base64Decode(value);
    if (!raw || raw->size() != 64 || !Eat(tail, "\",\"signer\":\"")) return false;
    sig.sig = std::move(*raw);
    if (!Until(tail, '"', value) || !Eat(tail, "\"}")) return false;
    sig.signer = std::string(value);
    entry.signed_event.sigs.push_back(std::move(sig));
  }
  return tail.empty();
}

}  // namespace

Result<Entry> ParseStoredEntryLeaf(std::string_view leaf) {
  // The event is everything between {"event": and the last ,"received":" (the tail holds no other:
  // its strings are a timestamp, base64 and actor ids).
  constexpr std::string_view kHead = "{\"event\":", kReceived = ",\"received\":\"";
  // Backwards from the end over the short tail, from comma to comma (memrchr: rfind would compare
  // at every position).
  size_t tail = std::string_view::npos;
  for (size_t end = leaf.size(); end > kHead.size();) {
    const void* comma = memrchr(leaf.data() + kHead.size(), ',', end - kHead.size());
    if (!comma) break;
    const size_t i = static_cast<size_t>(static_cast<const char*>(comma) - leaf.data());
    if (leaf.compare(i, kReceived.size(), kReceived) == 0) {
      tail = i;
      break;
    }
    end = i;
  }
  if (leaf.substr(0, kHead.size()) != kHead || tail == std::string_view::npos) return ParseEntryLeaf(leaf);
  const std::string_view canonical = leaf.substr(kHead.size(), tail - kHead.size());
  Entry entry;
  if (!ParseStoredTail(leaf.substr(tail), entry)) return ParseEntryLeaf(leaf);
  // The checks ParseEntryLeaf makes, on what was read the fast way: any doubt, and the strict
  // parser decides (and names the error). Stored leaves were checked when admitted; these keep a
  // damaged or altered store from being read otherwise than an auditor's strict parser reads it.
  std::optional<Json> event = ReadCanonicalJson(canonical);
  if (!event || !CheckEventFields(*event, entry.signed_event).ok() ||
      !SignatureListOk(entry.signed_event.sigs, entry.signed_event.kind == EventType::kGenesis)) {
    return ParseEntryLeaf(leaf);
  }
  entry.signed_event.event = std::move(*event);
  entry.signed_event.canonical = std::string(canonical);
  return entry;
}

}  // namespace pilotledger
