#pragma once

// A campaign as the state's JSON holds it (snapshot.cc), shared with the binary form
// (state_binary.cc), which keeps the few campaigns in JSON. Private to projections.

#include "ledger/canonical_json.h"
#include "ledger/status.h"
#include "projections/state.h"

namespace pilotledger::projections::internal {

Json CampaignJson(const Campaign& c);
// Every campaign of `s`, in id order.
Json CampaignsJson(const State& s);
// Throws nlohmann's exceptions on a malformed campaign; errors of its rules are returned.
Result<Campaign> CampaignFromJson(const Json& j);

}  // namespace pilotledger::projections::internal
