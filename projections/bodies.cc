#include "projections/bodies.h"

#include <set>

#include "ledger/event.h"

#include "projections/body_schema.h"
#include "projections/uscc.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

Result<std::string> CreditCode(const BodyReader& r, const std::string& name) {
  PL_ASSIGN_OR_RETURN(std::string code, r.String(name));
  if (const std::string p = UsccProblem(code); !p.empty()) {
    return SchemaViolation(r.Field(name), "unit " + code + ": " + p);
  }
  return code;
}

Result<std::vector<std::string>> CreditCodes(const BodyReader& r, const std::string& name) {
  PL_ASSIGN_OR_RETURN(auto codes, r.StringList(name));
  for (size_t i = 0; i < codes.size(); ++i) {
    if (const std::string p = UsccProblem(codes[i]); !p.empty()) {
      return SchemaViolation(r.Field(name) + "[" + std::to_string(i) + "]", "unit " + codes[i] + ": " + p);
    }
  }
  return codes;
}

// Metric values as PROTOCOL.md §6 allows them (names are checked against a category elsewhere).
Status MetricValues(const Json& metrics) {
  if (!metrics.is_object()) return SchemaViolation("metrics", "metrics must be an object");
  for (const auto& [name, value] : metrics.items()) {
    const std::string field = "metrics." + name;
    if (!value.is_boolean() && !value.is_number_integer()) return SchemaViolation(field, field + " must be an integer or true or false");
    if (value.is_number_integer() && value.get<int64_t>() < 0) return SchemaViolation(field, field + " must not be negative");
  }
  return Status::Ok();
}

Status ParseScenarios(const Json& list, std::vector<std::string>& out) {
  if (!list.is_array()) return SchemaViolation("scenarios", "scenarios must be a list of scenario codes");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string field = "scenarios[" + std::to_string(i) + "]";
    if (!list[i].is_string() || !OneOf(list[i].get<std::string>(), kScenarios)) {
      return SchemaViolation(field, "unknown scenario " + list[i].dump());
    }
    for (const std::string& s : out) {
      if (s == list[i]) return SchemaViolation(field, "scenario " + s + " is listed twice");
    }
    out.push_back(list[i].get<std::string>());
  }
  return Status::Ok();
}

// The body has exactly `fields` (those of its type) and optionally `documents`, well formed.
Status CheckFields(const BodyReader& r, const Json& j, std::vector<std::string> fields) {
  fields.push_back("documents");
  PL_RETURN_IF_ERROR(r.OnlyFields(fields));
  return CheckDocuments(j, "");
}

Status ParseCampaignRules(const BodyReader& r, const std::string& campaign, CampaignRules& rules, Json& rules_json) {
  if (!r.Has("rules")) return SchemaViolation("rules", "missing field rules");
  PL_ASSIGN_OR_RETURN(rules, ParseRules(r.Get("rules"), "rules"));
  if (rules.campaign != campaign) return SchemaViolation("rules.campaign", "rules.campaign differs from campaign");
  rules_json = r.Get("rules");
  return Status::Ok();
}

// The non-empty `units` list of title.granted and review.passed.
Status CheckUnitsListed(const BodyReader& r) {
  if (!r.Has("units") || !r.Get("units").is_array() || r.Get("units").empty()) {
    return SchemaViolation("units", "units must be a non-empty list");
  }
  return Status::Ok();
}

// One Parse per body type: the fields of the type, in the order their errors are reported.

Status Parse(const Json& j, KeyRotated& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(r.OnlyFields({"old_key", "new_key"}));
  PL_ASSIGN_OR_RETURN(b.old_key, r.String("old_key"));
  PL_ASSIGN_OR_RETURN(b.new_key, r.String("new_key"));
  return Status::Ok();
}

// Read as Apply read it before bodies were typed: origin and ledger_key as given, the policy and
// the authorities checked.
Status Parse(const Json& j, Genesis& b, Source source) {
  BodyReader r(j, "");
  if (r.Has("origin")) {
    PL_ASSIGN_OR_RETURN(b.origin, r.String("origin"));
  }
  if (r.Has("ledger_key")) {
    PL_ASSIGN_OR_RETURN(b.ledger_key, r.String("ledger_key"));
  }
  if (!r.Has("policy")) return SchemaViolation("policy", "missing field policy");
  b.policy_json = r.Get("policy");
  PL_ASSIGN_OR_RETURN(b.policy, ParsePolicy(b.policy_json));
  if (!r.Has("authorities") || !r.Get("authorities").is_array()) {
    return SchemaViolation("authorities", "authorities must be a list of actor descriptors");
  }
  for (const Json& d : r.Get("authorities")) {
    PL_ASSIGN_OR_RETURN(Actor a, ParseActor(d, "authorities", source));
    b.authorities.push_back(std::move(a));
  }
  return Status::Ok();
}

Status Parse(const Json& j, ActorRegistered& b, Source source) {
  PL_ASSIGN_OR_RETURN(b.actor, ParseActor(j, "", source));
  return Status::Ok();
}

Status Parse(const Json& j, ActorRevoked& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"actor", "reason"}));
  PL_ASSIGN_OR_RETURN(b.actor_id, r.Id("actor"));
  if (r.Has("reason")) {
    PL_ASSIGN_OR_RETURN(b.reason, r.Text("reason"));
  }
  return Status::Ok();
}

Status Parse(const Json& j, CampaignOpened& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "rules"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  return ParseCampaignRules(r, b.campaign, b.rules, b.rules_json);
}

Status Parse(const Json& j, CampaignAmended& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "rules", "reason"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_RETURN_IF_ERROR(ParseCampaignRules(r, b.campaign, b.rules, b.rules_json));
  if (r.Has("reason")) {
    PL_ASSIGN_OR_RETURN(b.reason, r.Text("reason"));
  }
  return Status::Ok();
}

Status Parse(const Json& j, QuotaExceptionGranted& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "authority", "category", "extra", "reason"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.authority, r.String("authority"));
  PL_ASSIGN_OR_RETURN(b.category, r.String("category"));
  if (!OneOf(b.category, kCategories) && b.category != "review" && b.category != "total") {
    return SchemaViolation("category", "category must be a unit category, total (SOE groups) or review");
  }
  PL_ASSIGN_OR_RETURN(b.extra, r.Integer("extra"));
  if (b.extra < 1 || b.extra > 1000) return SchemaViolation("extra", "extra places must be 1-1000");
  PL_ASSIGN_OR_RETURN(b.reason, r.Text("reason"));
  return Status::Ok();
}

Status Parse(const Json& j, SubmissionFiled& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit", "metrics", "scenarios"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  if (!r.Has("unit")) return SchemaViolation("unit", "missing field unit");
  PL_ASSIGN_OR_RETURN(b.unit, ParseUnitDescriptor(r.Get("unit"), "unit"));
  if (!r.Has("metrics")) return SchemaViolation("metrics", "missing field metrics");
  PL_RETURN_IF_ERROR(CheckMetrics(r.Get("metrics"), b.unit.category, b.unit.subtype));
  b.metrics = r.Get("metrics");
  if (!r.Has("scenarios")) return SchemaViolation("scenarios", "missing field scenarios");
  return ParseScenarios(r.Get("scenarios"), b.scenarios);
}

// `checks`: [{method, date (YYYY-MM-DD), note}], each method once.
Status ParseChecks(const BodyReader& r, std::vector<CheckRecord>& out) {
  if (!r.Has("checks")) return Status::Ok();
  const Json& list = r.Get("checks");
  if (!list.is_array() || list.empty()) return SchemaViolation("checks", "checks must be a non-empty list of {method, date, note}");
  for (size_t i = 0; i < list.size(); ++i) {
    BodyReader c(list[i], "checks[" + std::to_string(i) + "]");
    PL_RETURN_IF_ERROR(c.OnlyFields({"method", "date", "note"}));
    CheckRecord rec;
    PL_ASSIGN_OR_RETURN(rec.method, c.String("method"));
    if (!OneOf(rec.method, kCheckMethods)) return SchemaViolation(c.Field("method"), "method must be " + ListOf(kCheckMethods));
    for (const CheckRecord& earlier : out) {
      if (earlier.method == rec.method) return SchemaViolation(c.Field("method"), "method " + rec.method + " is recorded twice");
    }
    PL_ASSIGN_OR_RETURN(rec.date, c.String("date"));
    if (!ParseRfc3339(rec.date + "T00:00:00Z", TimeZoneRule::kAnyOffset).ok() || rec.date.size() != 10) {
      return SchemaViolation(c.Field("date"), "date must be a calendar date YYYY-MM-DD");
    }
    PL_ASSIGN_OR_RETURN(rec.note, c.Text("note"));
    out.push_back(std::move(rec));
  }
  return Status::Ok();
}

Status Parse(const Json& j, RecommendationIssued& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "checks"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  return ParseChecks(r, b.checks);
}
Status Parse(const Json& j, ReviewRequested& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "metrics", "scenarios"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  if (!r.Has("metrics")) return SchemaViolation("metrics", "missing field metrics (the review form's figures)");
  PL_RETURN_IF_ERROR(MetricValues(r.Get("metrics")));
  b.metrics = r.Get("metrics");
  if (!r.Has("scenarios")) return SchemaViolation("scenarios", "missing field scenarios");
  return ParseScenarios(r.Get("scenarios"), b.scenarios);
}

Status Parse(const Json& j, ReviewRecommended& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "findings", "checks"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  if (!r.Has("findings")) return SchemaViolation("findings", "missing field findings (" + ListOf(kProgressAreas) + ")");
  BodyReader f(r.Get("findings"), "findings");
  PL_RETURN_IF_ERROR(f.OnlyFields(std::vector<std::string>(std::begin(kProgressAreas), std::end(kProgressAreas))));
  for (std::string_view area : kProgressAreas) {
    const std::string a(area);
    if (!f.Has(a)) return SchemaViolation(f.Field(a), "missing finding " + f.Field(a));
    BodyReader one(f.Get(a), f.Field(a));
    PL_RETURN_IF_ERROR(one.OnlyFields({"progress", "note"}));
    Finding finding;
    PL_ASSIGN_OR_RETURN(finding.progress, one.Bool("progress"));
    PL_ASSIGN_OR_RETURN(finding.note, one.Text("note"));
    b.findings[a] = std::move(finding);
  }
  return ParseChecks(r, b.checks);
}

Status Parse(const Json& j, ReviewScope& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "units"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  if (!r.Has("units") || !r.Get("units").is_object() || r.Get("units").empty()) {
    return SchemaViolation("units", "units must be a non-empty object: authority -> list of unit ids");
  }
  std::set<std::string> seen;
  for (const auto& [authority, ids] : r.Get("units").items()) {
    const std::string field = "units." + authority;
    const bool soe = authority.rfind(kSoeAuthorityPrefix, 0) == 0 && IsValidId(authority.substr(kSoeAuthorityPrefix.size()));
    if (!soe && !IsRegionCode(authority)) return SchemaViolation(field, "an authority is a 6-digit region code or soe:<actor id>");
    PL_ASSIGN_OR_RETURN(std::vector<std::string> list, CreditCodes(BodyReader(r.Get("units"), "units"), authority));
    for (size_t i = 0; i < list.size(); ++i) {
      if (!seen.insert(list[i]).second) return SchemaViolation(field + "[" + std::to_string(i) + "]", "unit " + list[i] + " is listed twice");
    }
    b.units[authority] = std::move(list);
  }
  return Status::Ok();
}

Status Parse(const Json& j, ReviewRequirementsSet& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "authority", "required_documents", "note"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.authority, r.String("authority"));
  const bool soe = b.authority.rfind(kSoeAuthorityPrefix, 0) == 0 && IsValidId(b.authority.substr(kSoeAuthorityPrefix.size()));
  if (!soe && !IsRegionCode(b.authority)) return SchemaViolation("authority", "an authority is a 6-digit region code or soe:<actor id>");
  PL_ASSIGN_OR_RETURN(b.required_documents, r.StringList("required_documents"));
  for (size_t i = 0; i < b.required_documents.size(); ++i) {
    if (b.required_documents[i].empty() || b.required_documents[i].size() > 200) {
      return SchemaViolation("required_documents[" + std::to_string(i) + "]", "a document name is 1-200 bytes");
    }
  }
  if (r.Has("note")) {
    PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
  }
  return Status::Ok();
}

Status Parse(const Json& j, ScoreRecorded& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "score"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  PL_ASSIGN_OR_RETURN(b.score, r.Integer("score"));
  if (b.score < 0) return SchemaViolation("score", "score must not be negative, got " + std::to_string(b.score));
  return Status::Ok();
}

Status Parse(const Json& j, SpotcheckRecorded& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "passed"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  PL_ASSIGN_OR_RETURN(b.passed, r.Bool("passed"));
  return Status::Ok();
}

Status Parse(const Json& j, PublicationIssued& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "units", "objection_deadline"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_ids, CreditCodes(r, "units"));
  PL_ASSIGN_OR_RETURN(std::string deadline, r.String("objection_deadline"));
  Result<Timestamp> t = ParseRfc3339(deadline, TimeZoneRule::kAnyOffset);
  if (!t.ok()) return SchemaViolation("objection_deadline", t.status().message());
  b.objection_deadline = *t;
  return Status::Ok();
}

Status Parse(const Json& j, ObjectionFiled& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "summary"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  PL_ASSIGN_OR_RETURN(b.summary, r.Text("summary"));
  return Status::Ok();
}

Status Parse(const Json& j, ObjectionResolved& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "objection", "upheld", "note"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(int64_t seq, r.Integer("objection"));
  if (seq < 0) return SchemaViolation("objection", "objection is the seq of an objection.filed entry");
  b.objection = uint64_t(seq);
  PL_ASSIGN_OR_RETURN(b.upheld, r.Bool("upheld"));
  if (r.Has("note")) {
    PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
  }
  return Status::Ok();
}

Status Parse(const Json& j, TitleGranted& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "units"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_RETURN_IF_ERROR(CheckUnitsListed(r));
  if (!r.Get("units")[0].is_object()) {
    PL_ASSIGN_OR_RETURN(b.unit_ids, CreditCodes(r, "units"));
    return Status::Ok();
  }
  for (size_t i = 0; i < r.Get("units").size(); ++i) {  // a historical campaign's descriptors
    PL_ASSIGN_OR_RETURN(UnitDescriptor d, ParseUnitDescriptor(r.Get("units")[i], "units[" + std::to_string(i) + "]"));
    for (const UnitDescriptor& earlier : b.descriptors) {
      if (earlier.id == d.id) return SchemaViolation("units[" + std::to_string(i) + "]", "unit " + d.id + " is listed twice");
    }
    b.descriptors.push_back(std::move(d));
  }
  return Status::Ok();
}

Status Parse(const Json& j, ReviewPassed& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "units"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_RETURN_IF_ERROR(CheckUnitsListed(r));
  PL_ASSIGN_OR_RETURN(b.unit_ids, CreditCodes(r, "units"));
  return Status::Ok();
}

Status ParseOutcome(const Json& j, Outcome& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "reason", "note"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  PL_ASSIGN_OR_RETURN(b.reason, r.String("reason"));
  if (!OneOf(b.reason, kOutcomeReasons)) return SchemaViolation("reason", "reason must be " + ListOf(kOutcomeReasons));
  if (r.Has("note")) {
    PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
  } else if (b.reason == "other") {
    return SchemaViolation("note", "reason other needs a note");
  }
  return Status::Ok();
}
Status Parse(const Json& j, ApplicationRejected& b) { return ParseOutcome(j, b); }
Status Parse(const Json& j, ReviewFailed& b) { return ParseOutcome(j, b); }

Status Parse(const Json& j, AssessmentRecorded& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "passed", "note"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  PL_ASSIGN_OR_RETURN(b.passed, r.Bool("passed"));
  PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
  return Status::Ok();
}

Status Parse(const Json& j, CampaignClosed& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "note"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  if (r.Has("note")) {
    PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
  }
  return Status::Ok();
}

Status Parse(const Json& j, TitleRevoked& b) {
  BodyReader r(j, "");
  PL_RETURN_IF_ERROR(CheckFields(r, j, {"campaign", "unit_id", "reason", "note"}));
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
  PL_ASSIGN_OR_RETURN(b.reason, r.String("reason"));
  if (!OneOf(b.reason, kRevocationReasons)) return SchemaViolation("reason", "reason must be " + ListOf(kRevocationReasons));
  if (r.Has("note")) {
    PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
  } else if (b.reason == "other") {
    return SchemaViolation("note", "a revocation for reason other needs a note");
  }
  return Status::Ok();
}

}  // namespace

Result<UnitDescriptor> ParseUnitDescriptor(const Json& j, const std::string& where) {
  BodyReader r(j, where);
  PL_RETURN_IF_ERROR(r.OnlyFields({"id", "name", "category", "subtype", "region", "authority"}));
  UnitDescriptor d;
  PL_ASSIGN_OR_RETURN(d.id, CreditCode(r, "id"));
  PL_ASSIGN_OR_RETURN(d.name, r.Text("name"));
  PL_ASSIGN_OR_RETURN(d.category, r.String("category"));
  if (!OneOf(d.category, kCategories)) return SchemaViolation(r.Field("category"), "unknown category " + d.category);
  if (d.category == "enterprise") {
    PL_ASSIGN_OR_RETURN(d.subtype, r.String("subtype"));
    if (!OneOf(d.subtype, kSubtypes)) return SchemaViolation(r.Field("subtype"), "an enterprise's subtype is " + ListOf(kSubtypes));
  } else if (r.Has("subtype")) {
    return SchemaViolation(r.Field("subtype"), "only enterprises have a subtype");
  }
  PL_ASSIGN_OR_RETURN(d.region, r.String("region"));
  if (!IsRegionCode(d.region)) return SchemaViolation(r.Field("region"), "region must be a 6-digit GB/T 2260 code");
  PL_ASSIGN_OR_RETURN(d.authority, r.String("authority"));
  const bool soe = d.authority.rfind(kSoeAuthorityPrefix, 0) == 0 && IsValidId(d.authority.substr(kSoeAuthorityPrefix.size()));
  if (!soe && !IsRegionCode(d.authority)) {
    return SchemaViolation(r.Field("authority"), "authority must be a 6-digit region authority code or soe:<actor id>");
  }
  return d;
}

Status CheckMetrics(const Json& metrics, const std::string& category, const std::string& subtype) {
  PL_RETURN_IF_ERROR(MetricValues(metrics));
  const auto known = MetricsFor(category, subtype);
  for (const auto& [name, value] : metrics.items()) {
    const MetricInfo* info = nullptr;
    for (const MetricInfo& m : known) {
      if (m.name == name) info = &m;
    }
    const std::string field = "metrics." + name;
    if (!info) return SchemaViolation(field, "no metric " + name + " for a " + category + (subtype.empty() ? "" : " (" + subtype + ")"));
    if (info->type == MetricType::kBoolean && !value.is_boolean()) return SchemaViolation(field, field + " must be true or false");
    if (info->type == MetricType::kInteger && !value.is_number_integer()) return SchemaViolation(field, field + " must be an integer");
  }
  return Status::Ok();
}

Json UnitDescriptorJson(const UnitDescriptor& d) {
  Json j = {{"id", d.id}, {"name", d.name}, {"category", d.category}, {"region", d.region}, {"authority", d.authority}};
  if (!d.subtype.empty()) j["subtype"] = d.subtype;
  return j;
}

Body EmptyBody(EventType type) {
  switch (type) {
    case EventType::kGenesis: return {Genesis{}};
    case EventType::kActorRegistered: return {ActorRegistered{}};
    case EventType::kActorRevoked: return {ActorRevoked{}};
    case EventType::kCampaignOpened: return {CampaignOpened{}};
    case EventType::kCampaignAmended: return {CampaignAmended{}};
    case EventType::kQuotaException: return {QuotaExceptionGranted{}};
    case EventType::kSubmissionFiled: return {SubmissionFiled{}};
    case EventType::kRecommendationIssued: return {RecommendationIssued{}};
    case EventType::kReviewRequested: return {ReviewRequested{}};
    case EventType::kReviewRecommended: return {ReviewRecommended{}};
    case EventType::kScoreRecorded: return {ScoreRecorded{}};
    case EventType::kSpotcheckRecorded: return {SpotcheckRecorded{}};
    case EventType::kPublicationIssued: return {PublicationIssued{}};
    case EventType::kObjectionFiled: return {ObjectionFiled{}};
    case EventType::kObjectionResolved: return {ObjectionResolved{}};
    case EventType::kTitleGranted: return {TitleGranted{}};
    case EventType::kReviewPassed: return {ReviewPassed{}};
    case EventType::kTitleRevoked: return {TitleRevoked{}};
    case EventType::kReviewScope: return {ReviewScope{}};
    case EventType::kReviewRequirements: return {ReviewRequirementsSet{}};
    case EventType::kApplicationRejected: return {ApplicationRejected{}};
    case EventType::kReviewFailed: return {ReviewFailed{}};
    case EventType::kCampaignClosed: return {CampaignClosed{}};
    case EventType::kAssessmentRecorded: return {AssessmentRecorded{}};
    case EventType::kKeyRotated: return {KeyRotated{}};
  }
  return {};  // not reached: the switch names every EventType (-Wswitch)
}

Result<Body> ParseBody(EventType type, const Json& j, Source source) {
  Body b = EmptyBody(type);
  PL_RETURN_IF_ERROR(std::visit(
      [&](auto& body) {
        if constexpr (requires { Parse(j, body, source); }) {
          return Parse(j, body, source);
        } else {
          return Parse(j, body);
        }
      },
      b.value));
  return b;
}

}  // namespace pilotledger::projections
