#pragma once

#include "ledger/status.h"
#include "projections/state.h"
#include "server/api.h"

// The reading rules of the API (docs/api.md, "Who sees what"), one copy for every answer that
// shows units or quota usage: the JSON views and the reports.
namespace pilotledger::server {

// Whether `reader` sees `unit` in full (details from non-public entries): auditors and ministries
// always; a region's departments and an SOE group for their own units; an applicant for its own.
bool FullView(const Reader& reader, const projections::Unit& unit);

// Anyone else sees a unit only once a public entry names it (publication, title, review result).
bool Visible(const Reader& reader, const projections::Unit& unit);

// OK if `reader` may read quota usage: authenticated ministry, provincial, SOE group and auditor
// actors. Errors: kUnauthenticated (public), kForbidden (another role).
Status MayReadCampaignView(const Reader& reader, const std::string& what);
inline Status MayReadQuotas(const Reader& reader) { return MayReadCampaignView(reader, "quota usage"); }

}  // namespace pilotledger::server
