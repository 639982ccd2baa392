#pragma once

#include "ledger/event.h"
#include "projections/state.h"

namespace pilotledger::projections {

struct Body;

// Advances `state` by one entry. REQUIRES: entry.seq == state.size, and the entry was admitted
// (Check accepted it, or it is the genesis entry). Never throws. Errors: kDataLoss if the entry
// cannot be applied (which a verified log never contains): out of order, a body that does not
// parse, or a reference to something `state` does not hold (the message names it); `state` is
// then unchanged.
// With `parsed` (the body Check parsed for this entry), the body is not parsed again.
Status Apply(State& state, const Entry& entry, const Body* parsed = nullptr);
// Apply for an entry read back from the log (replay, snapshots' tail): the body is parsed as
// stored (ParseBody with Source::kStored: no curve-point checks of the keys it registers).
Status ApplyStored(State& state, const Entry& entry);

}  // namespace pilotledger::projections
