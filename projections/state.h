#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/event.h"
#include "ledger/timestamp.h"
#include "projections/actors.h"
#include "projections/cow_map.h"
#include "projections/policy.h"
#include "projections/rules.h"

// The ledger's derived state: a pure function of its entries (Apply), from which every served
// answer is computed. Not thread-safe: the server guards it.
namespace pilotledger::projections {

// How the recommending authority checked a unit (recommendation.issued, review.recommended `checks`).
struct CheckRecord {
  std::string method;  // one of kCheckMethods
  std::string date;    // YYYY-MM-DD
  std::string note;
};

struct Objection {
  uint64_t seq = 0;
  std::string summary;
  std::optional<uint64_t> resolved_seq;
  bool upheld = false;
};
struct Score {
  uint64_t seq = 0;
  std::string expert;
  int64_t score = 0;
};
struct SpotCheck {
  uint64_t seq = 0;
  bool passed = true;
};

// The ministries' negative outcome of a track (application.rejected, review.failed).
struct Refusal {
  uint64_t seq = 0;
  std::string reason;
  std::string note;
};

// The national evaluation of one unit in one campaign, shared by selection and review.
struct Track {
  std::optional<uint64_t> recommended_seq;
  std::optional<uint64_t> published_seq;
  std::optional<Timestamp> objection_deadline;
  std::optional<uint64_t> rejected_seq;  // an objection upheld
  std::vector<Score> scores;
  std::vector<SpotCheck> spot_checks;
  std::vector<Objection> objections;
  std::optional<Refusal> refusal;  // not selected / did not pass
  std::vector<CheckRecord> checks;  // the authority's, from its recommendation

  bool HasOpenObjection() const;
  bool HasUpheldObjection() const;
  std::optional<uint64_t> FailedSpotCheck() const;
};

// A unit's application in a selection campaign.
struct Application : Track {
  uint64_t submitted_seq = 0;
  std::string category;  // as submitted
  std::string subtype;
  Json metrics = Json::object();
  std::vector<std::string> scenarios;
  std::optional<uint64_t> granted_seq;
};

struct ReviewFinding {
  bool progress = false;
  std::string note;
};

// A titled unit's review (复核) in a review campaign.
struct Review : Track {
  uint64_t requested_seq = 0;
  Json metrics = Json::object();  // the review form's figures (复核申请表)
  std::vector<std::string> scenarios;
  std::map<std::string, ReviewFinding> findings;  // the authority's, by area, from review.recommended
  std::optional<uint64_t> passed_seq;
};

struct Title {
  uint64_t granted_seq = 0;
  std::optional<uint64_t> revoked_seq;
  std::string revoked_in;  // the campaign the revocation was decided in
  std::string reason;
  std::string note;
  bool active() const { return !revoked_seq.has_value(); }
};

struct Assessment {
  uint64_t seq = 0;
  std::string campaign;  // of the title assessed
  bool passed = false;
  std::string note;
};

struct UnitDescriptor {
  std::string id;  // unified social credit code
  std::string name;
  std::string category;
  std::string subtype;
  std::string region;
  std::string authority;
};

struct Unit {
  UnitDescriptor d;
  std::map<std::string, Application> applications;  // by campaign
  std::map<std::string, Review> reviews;            // by review campaign
  std::map<std::string, Title> titles;              // by granting campaign
  std::vector<Assessment> assessments;              // assessment.recorded, in seq order
  // seq, type of each entry about the unit (16 bytes a line: a unit's entries are most of the
  // state's growth, docs/performance.md (g))
  std::vector<std::pair<uint64_t, EventType>> history;

  bool HasActiveTitle() const;
};

struct QuotaException {
  uint64_t seq = 0;
  std::string authority;
  std::string category;  // or "review"
  int64_t extra = 0;
  std::string reason;
};

struct Campaign {
  std::string id;
  Json rules_json;
  CampaignRules rules;
  uint64_t opened_seq = 0;
  uint64_t rules_seq = 0;  // the entry whose rules apply now
  std::vector<uint64_t> amended_seqs;
  std::vector<QuotaException> exceptions;
  std::vector<uint64_t> publications;
  std::optional<uint64_t> closed_seq;  // campaign.closed: only revocations touch it after
  // recommendation.issued per authority and category (SOE groups also under "total").
  std::map<std::string, std::map<std::string, int64_t>> recommended;
  std::map<std::string, std::set<std::string>> review_requested;  // authority -> units
  std::map<std::string, int64_t> review_recommended;               // authority -> count
  // The review list (附件2) as review.scope entries recorded it: authority -> unit -> seq listed.
  std::map<std::string, std::map<std::string, uint64_t>> review_scope;
  std::vector<uint64_t> scope_seqs;
  // An authority's own review-material requirements (review.requirements; the latest counts).
  struct Requirements {
    uint64_t seq = 0;
    std::vector<std::string> documents;
    std::string note;
  };
  std::map<std::string, Requirements> review_requirements;  // authority ->

  // The seq at which `unit` of `authority` was put on the review list, if it was.
  std::optional<uint64_t> Listed(const std::string& authority, const std::string& unit) const;

  int64_t Extra(const std::string& authority, const std::string& category) const;
};

// Where an objection lives.
struct ObjectionRef {
  std::string unit;
  std::string campaign;
  bool review = false;
};

// An entry that cites a file by its hash (documents[] of its body).
struct Citation {
  uint64_t seq = 0;
  std::string type;
  std::string name;
  int64_t bytes = 0;
};

struct State {
  uint64_t size = 0;          // entries applied: the `as_of` of every answer
  Timestamp last_received;    // the ledger clock at the last entry
  std::string origin;
  std::string ledger_key;  // the current ledger key (the genesis one until a ledger.key_rotated)
  // Every ledger key and the first entry it signs checkpoints from (the checkpoint of size
  // from_seq + 1 on): the genesis key from 0, each rotation's new key from the rotation's seq + 1.
  struct LedgerKeyEpoch {
    std::string key;
    uint64_t from_seq = 0;
    bool operator==(const LedgerKeyEpoch&) const = default;
  };
  std::vector<LedgerKeyEpoch> ledger_keys;
  Json genesis_policy;
  Policy policy;
  // The four maps that grow with the ledger are copy-on-write (cow_map.h), so a copy of the state
  // (a snapshot, a report, a rollback) shares their chunks instead of copying every entry.
  CowMap<std::string, Actor> actors;
  // The authority ("soe:<id>") of every SOE group ever registered, revoked or not: the rows of
  // QuotaView beside the rules' authority kinds, without a scan of `actors`. Derived from `actors`
  // (Apply keeps it; a snapshot load rebuilds it), so never stored.
  std::set<std::string> soe_authorities;
  CowMap<std::array<uint8_t, 32>, std::string> active_keys;  // public key -> active actor
  std::map<std::string, Campaign> campaigns;
  CowMap<std::string, Unit> units;
  std::map<uint64_t, ObjectionRef> objections;
  CowMap<std::string, std::vector<Citation>> documents;  // sha256 (hex) -> the entries citing it, in seq order

  const Actor* FindActor(const std::string& id) const;
  const Campaign* FindCampaign(const std::string& id) const;
  const Unit* FindUnit(const std::string& id) const;
};

// The review cap's base for `authority` in review campaign `c`, by the rule `review.base`: its
// units on the review list ("listed"), or those that requested the review and still hold a title
// from one of the reviewed batches ("requested_and_titled": the cap shrinks as titles are revoked).
int64_t ReviewBase(const State& state, const Campaign& c, const std::string& authority);

}  // namespace pilotledger::projections
