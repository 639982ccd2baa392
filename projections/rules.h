#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/status.h"
#include "ledger/timestamp.h"

namespace pilotledger::projections {

// One eligibility criterion of a campaign's rules (docs/rules.md).
struct Criterion {
  enum class Kind { kMin, kEquals, kAnyOf, kScenariosMin, kScenariosInclude };
  Kind kind = Kind::kMin;
  std::string id;
  std::string text;
  std::string metric;                 // kMin, kEquals
  int64_t min = 0;                    // kMin, kScenariosMin
  bool equals = false;                // kEquals
  std::vector<Criterion> any_of;      // kAnyOf
  std::vector<std::string> include;   // kScenariosInclude
};

struct ReviewRules {
  std::vector<std::string> batches;  // the campaigns whose titles are reviewed
  int64_t cap_bp = 0;                // cap = floor(cap_bp * base / 10000)
  // What the cap is a share of, per authority: "listed" (its units on the review list, 附件2, as
  // recorded by review.scope) or "requested_and_titled" (its listed units that requested the review
  // and still hold a reviewed title).
  std::string base;
  // A unit under review cannot also apply in the same campaign (and vice versa). Not in the calls: an
  // assumption (docs/rules.md), so that scores, spot checks and publications mean one track.
  bool one_track = false;
};

// How experts score (the calls give no scale: docs/rules.md, "Scoring").
struct ScoringRules {
  int64_t min = 0;
  int64_t max = 100;
  int64_t scores_required = 0;  // expert scores a unit needs before it can be published
};

// Who may apply (docs/rules.md, "Applicants"): the categories whose region must be a county-level
// GB/T 2260 code, those whose credit code must be a registered company's (registration authority 9
// 工商, type 1 企业), and what a central SOE group may recommend.
struct ApplicantRules {
  std::vector<std::string> county_level;
  std::vector<std::string> company_code;
  std::vector<std::string> soe_member_categories;
};

// A campaign's whole rule set, as carried by campaign.opened / campaign.amended. Immutable.
struct CampaignRules {
  std::string campaign;
  std::string title;
  bool historical = false;
  bool provisional = false;
  std::optional<Timestamp> deadline;
  std::string deadline_text;
  std::vector<std::string> categories;
  std::vector<std::string> subtypes;
  std::vector<std::string> scenarios;
  std::map<std::string, std::string> authority_kinds;             // code -> kind
  std::map<std::string, std::map<std::string, int64_t>> quotas;   // kind -> category (or "total") -> places
  std::map<std::string, std::vector<Criterion>> eligibility;      // group -> criteria
  std::optional<ReviewRules> review;
  std::optional<ScoringRules> scoring;  // required in a selection campaign
  // The check methods a recommendation (and a review recommendation) must record (`checks`).
  std::vector<std::string> check_methods;
  std::optional<ApplicantRules> applicants;
  // The documents (by `documents[].name`) each event type must carry in this campaign.
  std::map<std::string, std::vector<std::string>> documents;

  bool HasCategory(const std::string& c) const;
  bool HasSubtype(const std::string& s) const;
  bool HasScenario(const std::string& s) const;
  // "province", "planned_city_or_xpcc", "soe_group" (for "soe:<id>"), or "" for an unknown authority.
  std::string AuthorityKind(const std::string& authority) const;
  // The places an authority of `kind` has in `category` (SOE groups: in total); nullopt if unlimited.
  std::optional<int64_t> Quota(const std::string& kind, const std::string& category) const;
};

// Parses and checks a rule set strictly (unknown fields, metrics or scenarios, non-integers and
// impossible values are refused). Errors: kSchemaViolation with details.field under `where`.
Result<CampaignRules> ParseRules(const Json& rules, const std::string& where = "rules");

struct CriterionFailure {
  std::string id;
  std::string text;
  std::string message;  // e.g. "rnd_ratio_bp 300 < 400"
};
struct Eligibility {
  bool eligible = true;
  std::vector<CriterionFailure> failed;
};
// Judges a submission by the campaign's rules: every failed criterion is named.
Eligibility Evaluate(const CampaignRules& rules, const std::string& category, const std::string& subtype,
                     const Json& metrics, const std::vector<std::string>& scenarios);
Json EligibilityJson(const Eligibility& e);

}  // namespace pilotledger::projections
