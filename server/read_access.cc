#include "server/read_access.h"

#include "projections/views.h"

namespace pilotledger::server {

bool FullView(const Reader& reader, const projections::Unit& unit) {
  return reader.privileged() || (!reader.authority.empty() && reader.authority == unit.d.authority) ||
         (!reader.unit.empty() && reader.unit == unit.d.id);
}

bool Visible(const Reader& reader, const projections::Unit& unit) {
  return FullView(reader, unit) || projections::PubliclyKnown(unit);
}

Status MayReadCampaignView(const Reader& reader, const std::string& what) {
  if (reader.actor.empty()) {
    return Status(Code::kUnauthenticated, what + " is served to authenticated ministry, provincial, SOE group and auditor actors");
  }
  if (reader.role != "ministry" && reader.role != "provincial" && reader.role != "auditor" && reader.role != "soe_group") {
    return Status(Code::kForbidden, "an actor of role " + reader.role + " may not read " + what);
  }
  return Status::Ok();
}

}  // namespace pilotledger::server
