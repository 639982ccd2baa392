#pragma once

#include <concepts>
#include <map>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/event.h"
#include "ledger/status.h"
#include "projections/actors.h"
#include "projections/policy.h"
#include "projections/rules.h"
#include "projections/state.h"

namespace pilotledger::projections {

// The body of each event type (PROTOCOL.md §6), as ParseBody reads it.
struct Genesis {  // ledger.genesis, written by init
  std::string origin;
  std::string ledger_key;
  Json policy_json;
  Policy policy;
  std::vector<Actor> authorities;
};
struct KeyRotated {  // ledger.key_rotated, written by rotate-key
  std::string old_key;  // verifier key strings
  std::string new_key;
};
struct ActorRegistered {
  Actor actor;
};
struct ActorRevoked {
  std::string actor_id;
  std::string reason;  // optional
};
struct CampaignOpened {
  std::string campaign;
  Json rules_json;
  CampaignRules rules;
};
struct CampaignAmended {
  std::string campaign;
  Json rules_json;
  CampaignRules rules;
  std::string reason;  // optional
};
struct QuotaExceptionGranted {  // quota.exception (the record it leaves: state.h's QuotaException)
  std::string campaign;
  std::string authority;
  std::string category;  // a unit category, "total" (SOE groups) or "review"
  int64_t extra = 0;
  std::string reason;
};
struct SubmissionFiled {
  std::string campaign;
  UnitDescriptor unit;
  Json metrics = Json::object();
  std::vector<std::string> scenarios;
};
struct RecommendationIssued {
  std::string campaign;
  std::string unit_id;
  std::vector<CheckRecord> checks;  // optional in the schema; the rules may require methods
};
// The review form (复核申请表, 附件3): the unit's current metrics and scenarios, judged by the
// reviewing campaign's rules (their names are checked against the unit's category at rule time).
struct ReviewRequested {
  std::string campaign;
  std::string unit_id;
  Json metrics = Json::object();
  std::vector<std::string> scenarios;
};
// The authority's finding on one of the three areas the 2023 call names (kProgressAreas).
struct Finding {
  bool progress = false;
  std::string note;
};
struct ReviewRecommended {
  std::string campaign;
  std::string unit_id;
  std::map<std::string, Finding> findings;  // by area: every one of kProgressAreas
  std::vector<CheckRecord> checks;
};
// The review list (附件2): per authority, the units under review.
struct ReviewScope {
  std::string campaign;
  std::map<std::string, std::vector<std::string>> units;  // authority -> unit ids
};
// An authority's own review-material requirements ("可结合工作实际提出复核材料要求"): documents
// each of its units' review requests must carry, by name.
struct ReviewRequirementsSet {
  std::string campaign;
  std::string authority;
  std::vector<std::string> required_documents;
  std::string note;  // optional
};
struct ScoreRecorded {
  std::string campaign;
  std::string unit_id;
  int64_t score = 0;
};
struct SpotcheckRecorded {
  std::string campaign;
  std::string unit_id;
  bool passed = false;
};
struct PublicationIssued {
  std::string campaign;
  std::vector<std::string> unit_ids;
  Timestamp objection_deadline;
};
struct ObjectionFiled {
  std::string campaign;
  std::string unit_id;
  std::string summary;
};
struct ObjectionResolved {
  std::string campaign;
  uint64_t objection = 0;  // the seq of the objection.filed entry
  bool upheld = false;
  std::string note;  // optional
};
struct TitleGranted {
  std::string campaign;
  std::vector<std::string> unit_ids;        // in a selection campaign
  std::vector<UnitDescriptor> descriptors;  // in a historical campaign
};
// application.rejected and review.failed: the ministries' negative outcome for a recommended unit.
struct Outcome {
  std::string campaign;
  std::string unit_id;
  std::string reason;  // one of kOutcomeReasons
  std::string note;    // optional, but required for reason "other"
};
struct ApplicationRejected : Outcome {};
struct ReviewFailed : Outcome {};
// The ministries' assessment (考核评估) of a unit's title granted in `campaign`.
struct AssessmentRecorded {
  std::string campaign;
  std::string unit_id;
  bool passed = false;
  std::string note;
};
struct CampaignClosed {
  std::string campaign;
  std::string note;  // optional
};
struct ReviewPassed {
  std::string campaign;
  std::vector<std::string> unit_ids;
};
struct TitleRevoked {
  std::string campaign;
  std::string unit_id;
  std::string reason;  // one of kRevocationReasons
  std::string note;    // optional, but required for reason "other"
};

// An event body parsed by its type: one alternative per EventType. Steps that depend on the type
// (Check, Apply, the policy) std::visit it with one overload per alternative and no catch-all, so
// that a type some step forgets does not compile.
//
// To add an event type: its EventType and its row in EventTypes() (ledger/event.*), its struct
// here, an alternative below, its case in EmptyBody and its Parse (bodies.cc); the compiler then
// names every step still missing it (CheckRules in projections/internal/check_rules.h, ApplyBody
// in apply.cc, the policy's UnitScopeOf, check.cc's actor authority). The default policy
// (DefaultPolicyJson) must name it too, or ParsePolicy refuses the policy.
struct Body {
  std::variant<Genesis, ActorRegistered, ActorRevoked, CampaignOpened, CampaignAmended, QuotaExceptionGranted,
               SubmissionFiled, RecommendationIssued, ReviewRequested, ReviewRecommended, ScoreRecorded,
               SpotcheckRecorded, PublicationIssued, ObjectionFiled, ObjectionResolved, TitleGranted, ReviewPassed,
               TitleRevoked, ReviewScope, ReviewRequirementsSet, ApplicationRejected, ReviewFailed,
               CampaignClosed, AssessmentRecorded, KeyRotated>
      value;
};

// The empty body of `type`'s alternative: for dispatching on the type alone, where the body has
// not been parsed (the signing policy is checked before the body). The one map from EventType to
// body struct.
Body EmptyBody(EventType type);

// Parses `body` strictly for `type`: exactly the type's fields (plus `documents`), credit codes
// with their check character, known vocabulary, integers in range. Checks that need the ledger's
// state (a campaign's own categories and scenarios, who exists) are rules, not schema.
// The genesis body is read as Apply has always read it (init checks it with CheckGenesisBody).
// Errors: kSchemaViolation with details.field.
// With Source::kStored (an entry the log holds), public keys are taken as admitted
// (PublicKey::FromTrustedRaw), without the curve-point check.
Result<Body> ParseBody(EventType type, const Json& body, Source source = Source::kSubmitted);

// Checks `metrics` against the metric table of `category` (and enterprise `subtype`): known names,
// integers (not negative) and booleans as DOMAIN.md says. Errors: kSchemaViolation (metrics.<name>).
Status CheckMetrics(const Json& metrics, const std::string& category, const std::string& subtype);

// Parses a unit descriptor {id, name, category, subtype (enterprises only), region, authority}.
Result<UnitDescriptor> ParseUnitDescriptor(const Json& j, const std::string& where);
Json UnitDescriptorJson(const UnitDescriptor& d);

// For std::visit: a set of lambdas, each taking one body type or an AnyOf<…> group of them.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// Clang before 17 does not deduce aggregates' template arguments (C++20 P1816) without it.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
template <class T, class... Alternatives>
concept AnyOf = (std::same_as<T, Alternatives> || ...);

}  // namespace pilotledger::projections
