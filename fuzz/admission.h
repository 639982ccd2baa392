// What the submission and body targets check about one parsed event: re-signed by the world's
// actors, projections::Check never throws and refuses with a documented code and a well-formed
// error, and what it admits Apply takes (the commit protocol relies on it: an admitted event whose
// Apply fails would be refused after the fact), leaving a state whose size grew by one.
#pragma once

#include "fuzz/fuzz_util.h"
#include "fuzz/world.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/check.h"

namespace pilotledger::fuzz {

inline void CheckAdmission(SignedEvent event) {
  const World& w = TheWorld();
  w.Resign(event);
  projections::Body parsed;
  Status checked;
  NoThrow("projections::Check", [&] { checked = projections::Check(w.state, event, w.now, &parsed); });
  if (!checked.ok()) {
    CheckError(checked);
    const Code c = checked.code();
    FUZZ_CHECK(c == Code::kUnknownSigner || c == Code::kBadSignature || c == Code::kForbidden || c == Code::kSchemaViolation ||
                   c == Code::kRuleViolation || c == Code::kDuplicateId,
               "Check refused with an undocumented code: " + checked.ToString());
    return;
  }
  projections::State after = w.state;
  const Entry entry{after.size, w.now, event};
  Status applied;
  NoThrow("projections::Apply", [&] { applied = projections::Apply(after, entry, &parsed); });
  FUZZ_CHECK(applied.ok(), "Check admitted " + event.type + " but Apply refused it: " + applied.ToString() + " " + event.canonical);
  FUZZ_CHECK(after.size == w.state.size + 1, "Apply did not advance the state");
  // Applying without the parsed body (as a replay does) gives the same state.
  projections::State replayed = w.state;
  Status again;
  NoThrow("projections::Apply (replay)", [&] { again = projections::Apply(replayed, entry); });
  FUZZ_CHECK(again.ok(), "a replay refused what was applied: " + again.ToString());
}

}  // namespace pilotledger::fuzz
