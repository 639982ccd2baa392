// The submission decoder (PROTOCOL.md §2): ParseSubmission never throws; what it accepts is
// canonical-equivalent (its envelope re-encodes to a submission that parses to the same event and
// signatures), carries 1–16 distinct signers with 64-byte signatures, and parses the same as an
// entry leaf, which the replay's fast path (ParseStoredEntryLeaf) reads as the strict parser does,
// as it does any input (CheckStoredLeaf); its body then goes through Check and Apply
// (fuzz/admission.h). Refusals get malformed_json or schema_violation, well-formed.
#include <set>

#include "fuzz/admission.h"

namespace pilotledger::fuzz {
namespace {

// ParseStoredEntryLeaf (the replay's fast path) reads what ParseEntryLeaf reads, the same, and
// refuses the rest with ParseEntryLeaf's error.
void CheckStoredLeaf(std::string_view leaf) {
  Result<Entry> strict = Status(Code::kInternal, "not run"), stored = strict;
  NoThrow("ParseEntryLeaf", [&] { strict = ParseEntryLeaf(leaf); });
  NoThrow("ParseStoredEntryLeaf", [&] { stored = ParseStoredEntryLeaf(leaf); });
  FUZZ_CHECK(stored.ok() == strict.ok(), "the stored-leaf parser and the strict one disagree on: " + std::string(leaf));
  if (!strict.ok()) {
    FUZZ_CHECK(stored.status().ToString() == strict.status().ToString(), "another error: " + stored.status().ToString());
    return;
  }
  const SignedEvent &a = strict->signed_event, &b = stored->signed_event;
  FUZZ_CHECK(stored->seq == strict->seq && stored->received.ms == strict->received.ms && a.canonical == b.canonical &&
                 a.id == b.id && a.type == b.type && a.kind == b.kind && a.time.ms == b.time.ms &&
                 WriteCanonical(a.event) == WriteCanonical(b.event) && a.sigs.size() == b.sigs.size(),
             "the stored-leaf parser read another entry from: " + std::string(leaf));
  for (size_t i = 0; i < a.sigs.size(); ++i) {
    FUZZ_CHECK(a.sigs[i].signer == b.sigs[i].signer && a.sigs[i].sig == b.sigs[i].sig, "another signature");
  }
}

}  // namespace
}  // namespace pilotledger::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  const std::string_view text = AsText(data, size);
  // The input as a stored leaf, and its first line as an event under the rest as a leaf's tail.
  CheckStoredLeaf(text);
  if (const size_t nl = text.find('\n'); nl != std::string_view::npos) {
    CheckStoredLeaf("{\"event\":" + std::string(text.substr(0, nl)) + std::string(text.substr(nl + 1)));
  }
  for (const bool allow_unsigned : {false, true}) {
    Result<SignedEvent> parsed = Status(Code::kInternal, "not run");
    NoThrow("ParseSubmission", [&] { parsed = ParseSubmission(text, allow_unsigned); });
    if (!parsed.ok()) {
      CheckError(parsed.status());
      const Code c = parsed.status().code();
      FUZZ_CHECK(c == Code::kMalformedJson || c == Code::kSchemaViolation, parsed.status().ToString());
      continue;
    }
    const SignedEvent& e = *parsed;
    FUZZ_CHECK(e.canonical == WriteCanonical(e.event), "canonical is not canonical(event)");
    FUZZ_CHECK(IsValidId(e.id), "accepted an invalid id: " + e.id);
    FUZZ_CHECK(EventTypeName(e.kind) == e.type, "kind and type disagree: " + e.type);
    FUZZ_CHECK(e.sigs.size() <= kMaxSignatures && (allow_unsigned || !e.sigs.empty()), "signature count out of range");
    std::set<std::string> signers;
    for (const Signature& s : e.sigs) {
      FUZZ_CHECK(s.sig.size() == 64, "a signature that is not 64 bytes");
      FUZZ_CHECK(IsValidId(s.signer), "an invalid signer id: " + s.signer);
      FUZZ_CHECK(signers.insert(s.signer).second, "a repeated signer: " + s.signer);
    }
    FUZZ_CHECK(e.event.at("body").is_object(), "a body that is not an object");
    // Re-encoding gives the same event.
    const std::string envelope = WriteCanonical(SubmissionJson(e));
    Result<SignedEvent> again = ParseSubmission(envelope, allow_unsigned);
    FUZZ_CHECK(again.ok(), "the re-encoded submission is refused: " + again.status().ToString() + " " + envelope);
    FUZZ_CHECK(again->canonical == e.canonical && again->sigs.size() == e.sigs.size(), "the re-encoded submission differs");
    for (size_t i = 0; i < e.sigs.size(); ++i) {
      FUZZ_CHECK(again->sigs[i].signer == e.sigs[i].signer && again->sigs[i].sig == e.sigs[i].sig, "a signature changed");
    }
    if (!e.sigs.empty()) {
      // As an entry leaf at some seq it parses back to the same bytes.
      const Entry entry{7, e.time, e};
      const std::string leaf = EntryLeaf(entry);
      Result<Entry> back = ParseEntryLeaf(leaf);
      FUZZ_CHECK(back.ok(), "its entry leaf is refused: " + back.status().ToString() + " " + leaf);
      FUZZ_CHECK(back->seq == 7 && EntryLeaf(*back) == leaf, "its entry leaf does not round-trip");
      CheckStoredLeaf(leaf);
    }
    if (!allow_unsigned) CheckAdmission(e);
  }
  return 0;
}
