#pragma once

#include <functional>
#include <optional>
#include <string>

#include "ledger/canonical_json.h"
#include "projections/state.h"

// The JSON answers served from the state (PROTOCOL.md §7). Each is a pure function of the state;
// the server adds "as_of". `full` includes what comes from non-public entries (metrics, scores,
// spot checks, objection texts, eligibility details), shown only to ministries and auditors.
namespace pilotledger::projections {

// "titled", "revoked", "rejected", or the stage of the latest application: "submitted",
// "recommended", "published". Without `full`, only what public entries say.
std::string UnitStatus(const Unit& unit, bool full = true);
// The stage of an application ("submitted", "recommended", "published", "rejected", "granted") and
// of a review ("requested", "recommended", "published", "rejected", "failed", "passed"); without `full`,
// only what public entries say.
std::string ApplicationState(const Application& a, bool full = true);
std::string ReviewState(const Review& r, bool full = true);
// {campaign, reason, detail} if a review found or let the unit fail and no revocation followed,
// judged at the ledger clock of the last entry (so that a replay gives the same answer).
std::optional<Json> DueForRevocation(const State& state, const Unit& unit);

Json UnitView(const State& state, const Unit& unit, bool full);

// The review list (附件2) of review campaign `c` per authority: each listed unit with its request
// and stage, the authority's own requirements, and once the deadline has passed (at the ledger
// clock of the last entry) the listed units that did not request a review (views_process.cc).
Json ReviewScopeView(const State& state, const Campaign& c);
// Every unit with a recommended track in `c` and its outcome (granted / rejected, passed / failed /
// revoked, or null while open), and the campaign's open items: what still needs a decision before
// campaign.closed, and the revocations the review calls for (views_process.cc).
Json OutcomeView(const State& state, const Campaign& c);

struct UnitFilter {
  std::string authority, region, status, campaign, category;
  std::string name;  // a part of the unit's name (bytes of UTF-8, so Chinese matches as written)
};
// Units matching `filter` with ids after `cursor`, at most `limit`, of those `visible` accepts, each
// in full if `full` says so: {"units", "next_cursor"}.
Json UnitList(const State& state, const UnitFilter& filter, const std::string& cursor, size_t limit,
              const std::function<bool(const Unit&)>& visible, const std::function<bool(const Unit&)>& full);

// Whether a public entry (a publication, title or review result) names the unit.
bool PubliclyKnown(const Unit& unit);

Json CampaignSummary(const Campaign& campaign);
Json CampaignView(const Campaign& campaign);
// Per authority: kind, limit/extra/used per category, exceptions, and for review campaigns the
// review base, cap and recommended count.
Json QuotaView(const State& state, const Campaign& campaign);

}  // namespace pilotledger::projections
