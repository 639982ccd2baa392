// A ledger in memory for pure-function tests of projections::Check and projections::Apply: the
// shared log builder (tests/ledger_builder.h: genesis with the three ministries, keys, signed
// events) with helpers for the unit lifecycle, the 2021 criteria and status matchers. No server,
// no storage.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "ledger/note.h"
#include "ledger/timestamp.h"
#include "projections/apply.h"
#include "projections/bodies.h"
#include "projections/check.h"
#include "projections/policy.h"
#include "projections/uscc.h"
#include "projections/views.h"
#include "tests/ledger_builder.h"
#include "tests/test_util.h"

namespace pilotledger::projections::fx {

inline constexpr int64_t kDay = 86400000;

inline Timestamp At(const std::string& rfc3339) {
  Result<Timestamp> t = ParseRfc3339(rfc3339, TimeZoneRule::kAnyOffset);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : Timestamp{};
}
inline Timestamp Plus(Timestamp t, int64_t ms) { return Timestamp{t.ms + ms}; }

using pilotledger::testing::CampaignRules;
using pilotledger::testing::Uscc;
using pilotledger::testing::WithWrongCheck;

// Where a unit of `authority` lies: a county-level district of the province (never a planned city's),
// a district of the planned city, an XPCC city, or Beijing for an SOE group's member.
inline std::string RegionOf(const std::string& authority) {
  if (authority.rfind("soe:", 0) == 0) return "110108";
  if (authority == "660000") return "659001";
  if (authority.substr(2) == "0000") return authority.substr(0, 2) + "0102";
  return authority.substr(0, 4) + "05";
}

// DOMAIN.md's and docs/rules.md's 2021 eligibility criteria, written out independently of the rule
// files: the tests check both that the files say this and that Check enforces it.
struct Crit {
  enum Kind { kMin, kTrue, kFalse, kAnyOf, kScenariosMin, kScenariosInclude };
  const char* group;
  const char* id;
  Kind kind;
  const char* metric;  // kScenariosInclude: the required scenario
  int64_t min;         // kMin, kAnyOf (first), kScenariosMin
  const char* metric2 = nullptr;  // kAnyOf (second)
  int64_t min2 = 0;
};
inline const std::vector<Crit>& Criteria2021() {
  using K = Crit;
  static const std::vector<Crit> c = {
      {"enterprise", "E-2", K::kMin, "years_registered", 3},
      {"enterprise", "E-3", K::kFalse, "violations_3y", 0},
      {"enterprise", "E-4", K::kFalse, "dishonest_debtor", 0},
      {"enterprise", "E-5", K::kMin, "deployed_projects", 2},
      {"enterprise", "E-6", K::kTrue, "business_model", 0},
      {"enterprise.product", "EP-1", K::kMin, "revenue", 10000000},
      {"enterprise.product", "EP-2", K::kMin, "rnd_ratio_bp", 400},
      {"enterprise.product", "EP-3", K::kMin, "ip_items", 10},
      {"enterprise.platform", "EPL-1", K::kMin, "revenue", 8000000},
      {"enterprise.platform", "EPL-2", K::kMin, "market_revenue_bp", 1000},
      {"enterprise.platform", "EPL-3", K::kMin, "monthly_orders", 100000},
      {"enterprise.platform", "EPL-4", K::kMin, "users", 500000},
      {"enterprise.platform", "EPL-5", K::kMin, "product_kinds", 10},
      {"enterprise.institution", "EI-1", K::kMin, "revenue", 8000000},
      {"enterprise.institution", "EI-2", K::kMin, "beds", 300},
      {"enterprise.institution", "EI-3", K::kMin, "product_kinds", 5},
      {"enterprise.institution", "EI-4", K::kTrue, "information_system", 0},
      {"enterprise.service", "ES-1", K::kMin, "revenue", 8000000},
      {"enterprise.service", "ES-2", K::kMin, "users", 10000},
      {"enterprise.service", "ES-3", K::kTrue, "service_platform", 0},
      {"enterprise.service", "ES-4", K::kTrue, "service_standards", 0},
      {"park", "P-1", K::kTrue, "government_key_project", 0},
      {"park", "P-3", K::kAnyOf, "field_enterprises", 20, "new_field_enterprises", 3},
      {"park", "P-4", K::kMin, "field_revenue_bp", 5000},
      {"park", "P-5", K::kTrue, "talent_mechanism", 0},
      {"park", "P-6", K::kMin, "demo_enterprises", 1},
      {"park", "P-7a", K::kFalse, "violations_3y", 0},
      {"park", "P-7b", K::kFalse, "dishonest_debtor", 0},
      {"street", "T-1a", K::kMin, "investment", 10000000},
      {"street", "T-1b", K::kMin, "it_investment", 2000000},
      {"street", "T-2a", K::kMin, "product_kinds", 5},
      {"street", "T-2b", K::kMin, "service_kinds", 5},
      {"street", "T-2c", K::kMin, "people_served", 10000},
      {"street", "T-3a", K::kScenariosMin, "", 4},
      {"street", "T-3b", K::kScenariosInclude, "medical_elderly_integration", 0},
      {"street", "T-4", K::kTrue, "online_offline", 0},
      {"street", "T-5", K::kTrue, "contractor_evaluation", 0},
      {"base", "B-1", K::kMin, "it_investment", 8000000},
      {"base", "B-2a", K::kTrue, "development_plan", 0},
      {"base", "B-2b", K::kTrue, "supporting_policies", 0},
      {"base", "B-3", K::kTrue, "unified_platform", 0},
      {"base", "B-4a", K::kMin, "experience_centres", 1},
      {"base", "B-4b", K::kMin, "demo_streets", 3},
      {"base", "B-5", K::kScenariosMin, "", 8},
      {"base", "B-6", K::kMin, "medical_elderly_institutions", 1},
      {"base", "B-7", K::kTrue, "service_standards", 0},
  };
  return c;
}

// The groups a unit is judged by: "enterprise" and "enterprise.<subtype>", or its category.
inline std::vector<std::string> GroupsOf(const std::string& category, const std::string& subtype) {
  if (category == "enterprise") return {"enterprise", "enterprise." + subtype};
  return {category};
}

// Metrics that meet every criterion exactly at its threshold.
inline Json PassingMetrics(const std::string& category, const std::string& subtype) {
  Json m = Json::object();
  for (const std::string& g : GroupsOf(category, subtype)) {
    for (const Crit& c : Criteria2021()) {
      if (c.group != g) continue;
      if (c.kind == Crit::kMin) m[c.metric] = c.min;
      if (c.kind == Crit::kTrue) m[c.metric] = true;
      if (c.kind == Crit::kFalse) m[c.metric] = false;
      if (c.kind == Crit::kAnyOf) {
        m[c.metric] = c.min;
        m[c.metric2] = c.min2;
      }
    }
  }
  return m;
}

// Scenarios valid in both 2021 and 2023, medical-elderly integration last.
inline std::vector<std::string> CommonScenarios(size_t n, bool with_integration = true) {
  static const std::vector<std::string> others = {"family_health",      "primary_care_health", "elderly_health_promotion",
                                                  "rehabilitation_aids", "internet_medical",    "family_care_beds",
                                                  "community_day_care",  "home_visit_services", "smart_nursing_home",
                                                  "care_supervision"};
  std::vector<std::string> out;
  for (size_t i = 0; out.size() + (with_integration ? 1 : 0) < n && i < others.size(); ++i) out.push_back(others[i]);
  if (with_integration && n > 0) out.push_back("medical_elderly_integration");
  return out;
}
// Exactly the scenarios a category needs: street 4, base 8, others 1.
inline std::vector<std::string> PassingScenarios(const std::string& category) {
  return CommonScenarios(category == "street" ? 4 : category == "base" ? 8 : 1);
}

// Status matchers printing the whole status on failure.
inline ::testing::AssertionResult Failure(const Status& s, const std::string& wanted) {
  return ::testing::AssertionFailure() << "expected " << wanted << ", got " << s.ToString() << " details " << s.details().dump();
}
inline ::testing::AssertionResult HasMessage(const Status& s, const std::vector<std::string>& parts) {
  for (const std::string& p : parts) {
    if (s.message().find(p) == std::string::npos) return Failure(s, "a message containing \"" + p + "\"");
  }
  return ::testing::AssertionSuccess();
}
inline ::testing::AssertionResult IsCode(const Status& s, Code code, const std::vector<std::string>& parts = {}) {
  if (s.code() != code) return Failure(s, CodeName(code));
  return HasMessage(s, parts);
}
inline ::testing::AssertionResult IsRule(const Status& s, const std::string& rule, const std::vector<std::string>& parts = {}) {
  if (s.code() != Code::kRuleViolation || s.details().value("rule", "") != rule) return Failure(s, "rule_violation " + rule);
  return HasMessage(s, parts);
}
inline ::testing::AssertionResult IsSchema(const Status& s, const std::string& field, const std::vector<std::string>& parts = {}) {
  if (s.code() != Code::kSchemaViolation || s.details().value("field", "") != field) {
    return Failure(s, "schema_violation of field " + field);
  }
  return HasMessage(s, parts);
}

// The in-memory log of tests/ledger_builder.h with the domain's helpers.
class Ledger : public pilotledger::testing::LogBuilder {
 public:
  // Genesis at `start` with the ministries miit, mca and nhc under `policy`.
  explicit Ledger(Timestamp start = At("2023-10-15T08:00:00Z"), const Json& policy = DefaultPolicyJson()) : LogBuilder(start, policy) {}

  // --- actors ---
  // Registered by one ministry: a provincial department's own line (MIIT, MCA, NHC), else MIIT.
  Status Register(const std::string& id, const std::string& role, const Json& extra = Json::object()) {
    const Json body = pilotledger::testing::ActorDescriptor(id, role, "Actor " + id, Key(id).public_key(), extra);
    const std::string dep = role == "provincial" ? extra.value("department", "") : "";
    return Append("actor.registered", body, {dep.empty() ? std::string("miit") : MinistryOfLine(dep)});
  }
  // The miit, civil and health departments of an authority, registered on first use.
  std::vector<std::string> Departments(const std::string& authority) {
    std::vector<std::string> ids;
    for (const char* d : {"miit", "civil", "health"}) {
      const std::string id = "p" + authority + "-" + d;
      if (!state.FindActor(id)) {
        EXPECT_OK(Register(id, "provincial", {{"region", authority}, {"department", d}}));
      }
      ids.push_back(id);
    }
    return ids;
  }
  // An SOE group actor; its authority is "soe:<id>".
  std::string SoeGroup(const std::string& id) {
    if (!state.FindActor(id)) {
      EXPECT_OK(Register(id, "soe_group"));
    }
    return "soe:" + id;
  }
  std::string Expert(const std::string& id = "expert1") {
    if (!state.FindActor(id)) {
      EXPECT_OK(Register(id, "expert"));
    }
    return id;
  }
  // Who recommends for `authority`: its three departments, or its SOE group.
  std::vector<std::string> AuthoritySigners(const std::string& authority) {
    if (authority.rfind("soe:", 0) == 0) return {authority.substr(4)};
    return Departments(authority);
  }

  // --- campaigns ---
  Status Open(const std::string& campaign) {
    return Append("campaign.opened", {{"campaign", campaign}, {"rules", CampaignRules(campaign)}}, Ministries());
  }
  // 2017, 2018, 2019 (the batches 2023 reviews), 2020 and 2023.
  // With `base`, 2023's review.base is set to it ("listed" is the rule file's).
  void Open2023WithBatches(const std::string& base = "") {
    for (const char* c : {"2017", "2018", "2019", "2020"}) EXPECT_OK(Open(c)) << c;
    Json rules = CampaignRules("2023");
    if (!base.empty()) rules["review"]["base"] = base;
    EXPECT_OK(Append("campaign.opened", {{"campaign", "2023"}, {"rules", rules}}, Ministries()));
  }
  Status Exception(const std::string& campaign, const std::string& authority, const std::string& category, int64_t extra = 1) {
    return Append("quota.exception",
                  {{"campaign", campaign}, {"authority", authority}, {"category", category}, {"extra", extra}, {"reason", "approved"}},
                  Ministries());
  }

  // `body` of `type` with the documents its campaign's rules require, each with a stand-in hash,
  // added unless the body already names documents (tests of the requirement itself pass their own).
  Json Documented(const std::string& type, Json body) const {
    const Campaign* c = state.FindCampaign(body.value("campaign", ""));
    if (!c || body.contains("documents")) return body;
    const auto it = c->rules.documents.find(type);
    if (it == c->rules.documents.end()) return body;
    body["documents"] = Json::array();
    for (const std::string& name : it->second) body["documents"].push_back({{"name", name}, {"sha256", std::string(64, 'd')}, {"bytes", 100}});
    return body;
  }
  // `body` of a recommendation with the checks its campaign's rules require (dated the ledger's day).
  Json Checked(Json body) const {
    const Campaign* c = state.FindCampaign(body.value("campaign", ""));
    if (!c || body.contains("checks") || c->rules.check_methods.empty()) return body;
    body["checks"] = Json::array();
    const std::string day = FormatRfc3339Seconds(now).substr(0, 10);
    for (const std::string& m : c->rules.check_methods) body["checks"].push_back({{"method", m}, {"date", day}, {"note", "逐一审查、核实"}});
    return body;
  }

  // --- units ---
  UnitDescriptor NewUnit(const std::string& authority, const std::string& category, const std::string& subtype = "") {
    UnitDescriptor d;
    d.region = RegionOf(authority);
    d.id = Uscc(d.region, ++next_serial_);
    d.name = "Unit " + std::to_string(next_serial_);
    d.category = category;
    d.subtype = category == "enterprise" && subtype.empty() ? "product" : subtype;
    d.authority = authority;
    return d;
  }
  Status Submit(const std::string& campaign, const UnitDescriptor& u, const Json& metrics, const std::vector<std::string>& scenarios) {
    return Append("submission.filed",
                  Documented("submission.filed",
                             {{"campaign", campaign}, {"unit", UnitDescriptorJson(u)}, {"metrics", metrics}, {"scenarios", scenarios}}),
                  {AuthoritySigners(u.authority)[0]});
  }
  Status SubmitPassing(const std::string& campaign, const UnitDescriptor& u) {
    return Submit(campaign, u, PassingMetrics(u.category, u.subtype), PassingScenarios(u.category));
  }
  // A new unit that applied with passing metrics.
  std::string AddUnit(const std::string& campaign, const std::string& authority, const std::string& category,
                      const std::string& subtype = "") {
    const UnitDescriptor u = NewUnit(authority, category, subtype);
    EXPECT_OK(SubmitPassing(campaign, u));
    return u.id;
  }
  Status Recommend(const std::string& campaign, const std::string& id) {
    const Unit* u = state.FindUnit(id);
    return Append("recommendation.issued", Checked(Documented("recommendation.issued", {{"campaign", campaign}, {"unit_id", id}})),
                  AuthoritySigners(u ? u->d.authority : "110000"));
  }
  std::string AddRecommended(const std::string& campaign, const std::string& authority, const std::string& category,
                             const std::string& subtype = "") {
    const std::string id = AddUnit(campaign, authority, category, subtype);
    EXPECT_OK(Recommend(campaign, id));
    return id;
  }
  Status Score(const std::string& campaign, const std::string& id, int64_t score, const std::string& expert = "expert1") {
    return Append("score.recorded", {{"campaign", campaign}, {"unit_id", id}, {"score", score}}, {Expert(expert)});
  }
  Status SpotCheck(const std::string& campaign, const std::string& id, bool passed) {
    return Append("spotcheck.recorded", {{"campaign", campaign}, {"unit_id", id}, {"passed", passed}}, {"miit"});
  }
  // Publishes `ids`, first recording for each the expert scores its campaign's scoring still
  // requires (experts "scorer1", "scorer2", …, score 80), so that tests of other rules need not.
  Status Publish(const std::string& campaign, const std::vector<std::string>& ids, Timestamp objection_deadline) {
    const Campaign* c = state.FindCampaign(campaign);
    const int64_t required = c && c->rules.scoring ? c->rules.scoring->scores_required : 0;
    for (const std::string& id : ids) {
      const Unit* u = state.FindUnit(id);
      if (!u) continue;
      const auto a = u->applications.find(campaign);
      const auto r = u->reviews.find(campaign);
      const Track* t = a != u->applications.end() && a->second.recommended_seq ? static_cast<const Track*>(&a->second)
                       : r != u->reviews.end() && r->second.recommended_seq  ? static_cast<const Track*>(&r->second)
                                                                              : nullptr;
      for (int64_t n = t ? int64_t(t->scores.size()) : required; n < required; ++n) {
        const Status s = Score(campaign, id, 80, "scorer" + std::to_string(n + 1));
        if (!s.ok()) return s;
      }
    }
    return Append("publication.issued",
                  {{"campaign", campaign}, {"units", ids}, {"objection_deadline", FormatRfc3339Seconds(objection_deadline)}},
                  Ministries());
  }
  Status Object(const std::string& campaign, const std::string& id) {
    return Append("objection.filed", {{"campaign", campaign}, {"unit_id", id}, {"summary", "an objection"}}, {"mca"});
  }
  Status Resolve(const std::string& campaign, uint64_t objection_seq, bool upheld) {
    return Append("objection.resolved", {{"campaign", campaign}, {"objection", objection_seq}, {"upheld", upheld}}, {"mca"});
  }
  Status Grant(const std::string& campaign, const std::vector<std::string>& ids) {
    return Append("title.granted", {{"campaign", campaign}, {"units", ids}}, Ministries());
  }
  // Imports a title of a historical campaign for a new unit; returns its id.
  std::string Titled(const std::string& campaign, const std::string& authority, const std::string& category = "enterprise") {
    const UnitDescriptor u = NewUnit(authority, category);
    EXPECT_OK(Append("title.granted", {{"campaign", campaign}, {"units", Json::array({UnitDescriptorJson(u)})}}, Ministries()));
    return u.id;
  }
  // Puts units on the review list (review.scope), each under its own authority.
  Status Scope(const std::string& campaign, const std::vector<std::string>& ids) {
    Json units = Json::object();
    for (const std::string& id : ids) {
      const Unit* u = state.FindUnit(id);
      const std::string authority = u ? u->d.authority : "110000";
      if (!units.contains(authority)) units[authority] = Json::array();
      units[authority].push_back(id);
    }
    return Append("review.scope", {{"campaign", campaign}, {"units", units}}, Ministries());
  }
  // The review form's body for a unit: metrics and scenarios that pass the 2021/2023 criteria.
  Json ReviewForm(const std::string& campaign, const std::string& id) const {
    const Unit* u = state.FindUnit(id);
    const std::string category = u ? u->d.category : "enterprise", subtype = u ? u->d.subtype : "product";
    return {{"campaign", campaign}, {"unit_id", id}, {"metrics", PassingMetrics(category, subtype)}, {"scenarios", PassingScenarios(category)}};
  }
  // A review request with a passing form; the unit is put on the review list first if it is not on it.
  Status RequestReview(const std::string& campaign, const std::string& id) {
    const Campaign* c = state.FindCampaign(campaign);
    const Unit* u = state.FindUnit(id);
    if (c && u && c->rules.review && !c->Listed(u->d.authority, id)) {
      const Status listed = Scope(campaign, {id});
      if (!listed.ok()) return listed;
    }
    return RequestReviewWith(ReviewForm(campaign, id));
  }
  Status RequestReviewWith(const Json& body) {
    const Unit* u = state.FindUnit(body.value("unit_id", ""));
    return Append("review.requested", Documented("review.requested", body), {AuthoritySigners(u ? u->d.authority : "110000")[0]});
  }
  static Json Findings(bool industry = true, bool service = true, bool influence = true) {
    return {{"industry_development", {{"progress", industry}, {"note", "产业规模持续扩大"}}},
            {"service_capability", {{"progress", service}, {"note", "服务能力明显提升"}}},
            {"industry_influence", {{"progress", influence}, {"note", "行业影响力增强"}}}};
  }
  Status RecommendReview(const std::string& campaign, const std::string& id, const Json& findings = Findings()) {
    return Append("review.recommended", Checked(Documented("review.recommended", {{"campaign", campaign}, {"unit_id", id}, {"findings", findings}})),
                  AuthoritySigners(state.FindUnit(id)->d.authority));
  }
  Status PassReview(const std::string& campaign, const std::vector<std::string>& ids) {
    return Append("review.passed", {{"campaign", campaign}, {"units", ids}}, Ministries());
  }
  Status Reject(const std::string& campaign, const std::string& id, const std::string& reason, const std::string& note = "",
                const std::vector<std::string>& cosigners = {}) {
    Json body = {{"campaign", campaign}, {"unit_id", id}, {"reason", reason}};
    if (!note.empty()) body["note"] = note;
    std::vector<std::string> signers = Ministries();
    signers.insert(signers.end(), cosigners.begin(), cosigners.end());
    return Append("application.rejected", body, signers);
  }
  Status FailReview(const std::string& campaign, const std::string& id, const std::string& reason, const std::string& note = "") {
    Json body = {{"campaign", campaign}, {"unit_id", id}, {"reason", reason}};
    if (!note.empty()) body["note"] = note;
    return Append("review.failed", body, Ministries());
  }
  Status Assess(const std::string& campaign, const std::string& id, bool passed) {
    return Append("assessment.recorded", {{"campaign", campaign}, {"unit_id", id}, {"passed", passed}, {"note", "考核评估"}}, Ministries());
  }
  Status Close(const std::string& campaign) { return Append("campaign.closed", {{"campaign", campaign}}, Ministries()); }
  Status Revoke(const std::string& campaign, const std::string& id, const std::string& reason, const std::string& note = "") {
    Json body = {{"campaign", campaign}, {"unit_id", id}, {"reason", reason}};
    if (!note.empty()) body["note"] = note;
    return Append("title.revoked", body, Ministries());
  }

  // --- views ---
  Json UnitJson(const std::string& id, bool full = true) const {
    const Unit* u = state.FindUnit(id);
    return u ? UnitView(state, *u, full) : Json();
  }
  // The QuotaView entry of one authority.
  Json Quota(const std::string& campaign, const std::string& authority) const {
    const Campaign* c = state.FindCampaign(campaign);
    if (!c) return Json();
    const Json view = QuotaView(state, *c);
    for (const Json& a : view["authorities"]) {
      if (a["authority"] == authority) return a;
    }
    return Json();
  }

 private:
  int next_serial_ = 0;
};

// A ledger at a time before the campaign's deadline (2021 or 2023) with the campaign open.
inline std::unique_ptr<Ledger> OpenLedger(const std::string& campaign) {
  auto l = std::make_unique<Ledger>(At(campaign == "2021" ? "2021-11-01T08:00:00Z" : "2023-10-15T08:00:00Z"));
  if (campaign == "2023") {
    l->Open2023WithBatches();
  } else {
    EXPECT_OK(l->Open(campaign));
  }
  return l;
}

}  // namespace pilotledger::projections::fx
