#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/status.h"
#include "projections/actors.h"
#include "projections/rules.h"
#include "projections/state.h"

namespace pilotledger::projections {

// An event body parsed by its type (PROTOCOL.md §6). Only the fields of that type are set.
struct Body {
  std::string campaign;
  std::string unit_id;                      // events about one unit
  UnitDescriptor unit;                      // submission.filed
  Json metrics = Json::object();            // submission.filed
  std::vector<std::string> scenarios;       // submission.filed
  std::vector<std::string> unit_ids;        // publication.issued, title.granted, review.passed
  std::vector<UnitDescriptor> descriptors;  // title.granted in a historical campaign
  Timestamp objection_deadline;             // publication.issued
  int64_t score = 0;                        // score.recorded
  bool passed = false;                      // spotcheck.recorded
  uint64_t objection = 0;                   // objection.resolved
  bool upheld = false;                      // objection.resolved
  std::string text;                         // summary, reason (quota.exception, actor.revoked, title.revoked)
  std::string note;                         // title.revoked, objection.resolved
  std::string authority;                    // quota.exception
  std::string category;                     // quota.exception
  int64_t extra = 0;                        // quota.exception
  Json rules_json;                          // campaign.opened, campaign.amended
  CampaignRules rules;
  Actor actor;                              // actor.registered
  std::string actor_id;                     // actor.revoked
};

// Parses `body` strictly for `type`: exactly the type's fields (plus `documents`), credit codes
// with their check character, known vocabulary, integers in range. Checks that need the ledger's
// state (a campaign's own categories and scenarios, who exists) are rules, not schema.
// Errors: kSchemaViolation with details.field.
Result<Body> ParseBody(const std::string& type, const Json& body);

// Parses a unit descriptor {id, name, category, subtype (enterprises only), region, authority}.
Result<UnitDescriptor> ParseUnitDescriptor(const Json& j, const std::string& where);
Json UnitDescriptorJson(const UnitDescriptor& d);

}  // namespace pilotledger::projections
