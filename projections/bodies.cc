#include "projections/bodies.h"

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

Status ParseMetrics(const Json& metrics, const UnitDescriptor& unit, Body& out) {
  if (!metrics.is_object()) return SchemaViolation("metrics", "metrics must be an object");
  const auto known = MetricsFor(unit.category, unit.subtype);
  for (const auto& [name, value] : metrics.items()) {
    const MetricInfo* info = nullptr;
    for (const MetricInfo& m : known) {
      if (m.name == name) info = &m;
    }
    const std::string field = "metrics." + name;
    if (!info) return SchemaViolation(field, "no metric " + name + " for a " + unit.category + (unit.subtype.empty() ? "" : " (" + unit.subtype + ")"));
    if (info->type == MetricType::kBoolean && !value.is_boolean()) return SchemaViolation(field, field + " must be true or false");
    if (info->type == MetricType::kInteger && !value.is_number_integer()) return SchemaViolation(field, field + " must be an integer");
    if (info->type == MetricType::kInteger && value.get<int64_t>() < 0) return SchemaViolation(field, field + " must not be negative");
  }
  out.metrics = metrics;
  return Status::Ok();
}

Status ParseScenarios(const Json& list, Body& out) {
  if (!list.is_array()) return SchemaViolation("scenarios", "scenarios must be a list of scenario codes");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string field = "scenarios[" + std::to_string(i) + "]";
    if (!list[i].is_string() || !OneOf(list[i].get<std::string>(), kScenarios)) {
      return SchemaViolation(field, "unknown scenario " + list[i].dump());
    }
    for (const std::string& s : out.scenarios) {
      if (s == list[i]) return SchemaViolation(field, "scenario " + s + " is listed twice");
    }
    out.scenarios.push_back(list[i].get<std::string>());
  }
  return Status::Ok();
}

// The fields each type carries besides `documents`.
std::vector<std::string> FieldsOf(const std::string& type) {
  if (type == "actor.registered") return {"actor", "role", "public_key", "name", "region", "department", "unit"};
  if (type == "actor.revoked") return {"actor", "reason"};
  if (type == "campaign.opened") return {"campaign", "rules"};
  if (type == "campaign.amended") return {"campaign", "rules", "reason"};
  if (type == "quota.exception") return {"campaign", "authority", "category", "extra", "reason"};
  if (type == "submission.filed") return {"campaign", "unit", "metrics", "scenarios"};
  if (type == "score.recorded") return {"campaign", "unit_id", "score"};
  if (type == "spotcheck.recorded") return {"campaign", "unit_id", "passed"};
  if (type == "publication.issued") return {"campaign", "units", "objection_deadline"};
  if (type == "objection.filed") return {"campaign", "unit_id", "summary"};
  if (type == "objection.resolved") return {"campaign", "objection", "upheld", "note"};
  if (type == "title.granted" || type == "review.passed") return {"campaign", "units"};
  if (type == "title.revoked") return {"campaign", "unit_id", "reason", "note"};
  return {"campaign", "unit_id"};  // recommendation.issued, review.requested, review.recommended
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

Json UnitDescriptorJson(const UnitDescriptor& d) {
  Json j = {{"id", d.id}, {"name", d.name}, {"category", d.category}, {"region", d.region}, {"authority", d.authority}};
  if (!d.subtype.empty()) j["subtype"] = d.subtype;
  return j;
}

Result<Body> ParseBody(const std::string& type, const Json& j) {
  Body b;
  if (type == "actor.registered") {
    PL_ASSIGN_OR_RETURN(b.actor, ParseActor(j, ""));
    return b;
  }
  BodyReader r(j, "");
  std::vector<std::string> fields = FieldsOf(type);
  fields.push_back("documents");
  PL_RETURN_IF_ERROR(r.OnlyFields(fields));
  PL_RETURN_IF_ERROR(CheckDocuments(j, ""));
  if (type == "actor.revoked") {
    PL_ASSIGN_OR_RETURN(b.actor_id, r.Id("actor"));
    if (r.Has("reason")) {
      PL_ASSIGN_OR_RETURN(b.text, r.Text("reason"));
    }
    return b;
  }
  PL_ASSIGN_OR_RETURN(b.campaign, r.Id("campaign"));
  if (type == "campaign.opened" || type == "campaign.amended") {
    if (!r.Has("rules")) return SchemaViolation("rules", "missing field rules");
    PL_ASSIGN_OR_RETURN(b.rules, ParseRules(r.Get("rules"), "rules"));
    if (b.rules.campaign != b.campaign) return SchemaViolation("rules.campaign", "rules.campaign differs from campaign");
    b.rules_json = r.Get("rules");
    if (r.Has("reason")) {
      PL_ASSIGN_OR_RETURN(b.text, r.Text("reason"));
    }
  } else if (type == "quota.exception") {
    PL_ASSIGN_OR_RETURN(b.authority, r.String("authority"));
    PL_ASSIGN_OR_RETURN(b.category, r.String("category"));
    if (!OneOf(b.category, kCategories) && b.category != "review" && b.category != "total") {
      return SchemaViolation("category", "category must be a unit category, total (SOE groups) or review");
    }
    PL_ASSIGN_OR_RETURN(b.extra, r.Integer("extra"));
    if (b.extra < 1 || b.extra > 1000) return SchemaViolation("extra", "extra places must be 1-1000");
    PL_ASSIGN_OR_RETURN(b.text, r.Text("reason"));
  } else if (type == "submission.filed") {
    if (!r.Has("unit")) return SchemaViolation("unit", "missing field unit");
    PL_ASSIGN_OR_RETURN(b.unit, ParseUnitDescriptor(r.Get("unit"), "unit"));
    b.unit_id = b.unit.id;
    if (!r.Has("metrics")) return SchemaViolation("metrics", "missing field metrics");
    PL_RETURN_IF_ERROR(ParseMetrics(r.Get("metrics"), b.unit, b));
    if (!r.Has("scenarios")) return SchemaViolation("scenarios", "missing field scenarios");
    PL_RETURN_IF_ERROR(ParseScenarios(r.Get("scenarios"), b));
  } else if (type == "publication.issued") {
    PL_ASSIGN_OR_RETURN(b.unit_ids, CreditCodes(r, "units"));
    PL_ASSIGN_OR_RETURN(std::string deadline, r.String("objection_deadline"));
    Result<Timestamp> t = ParseRfc3339(deadline, TimeZoneRule::kAnyOffset);
    if (!t.ok()) return SchemaViolation("objection_deadline", t.status().message());
    b.objection_deadline = *t;
  } else if (type == "title.granted" || type == "review.passed") {
    if (!r.Has("units") || !r.Get("units").is_array() || r.Get("units").empty()) {
      return SchemaViolation("units", "units must be a non-empty list");
    }
    if (type == "title.granted" && r.Get("units")[0].is_object()) {
      for (size_t i = 0; i < r.Get("units").size(); ++i) {
        PL_ASSIGN_OR_RETURN(UnitDescriptor d, ParseUnitDescriptor(r.Get("units")[i], "units[" + std::to_string(i) + "]"));
        for (const UnitDescriptor& earlier : b.descriptors) {
          if (earlier.id == d.id) return SchemaViolation("units[" + std::to_string(i) + "]", "unit " + d.id + " is listed twice");
        }
        b.descriptors.push_back(std::move(d));
      }
    } else {
      PL_ASSIGN_OR_RETURN(b.unit_ids, CreditCodes(r, "units"));
    }
  } else if (type == "objection.resolved") {
    PL_ASSIGN_OR_RETURN(int64_t seq, r.Integer("objection"));
    if (seq < 0) return SchemaViolation("objection", "objection is the seq of an objection.filed entry");
    b.objection = uint64_t(seq);
    PL_ASSIGN_OR_RETURN(b.upheld, r.Bool("upheld"));
    if (r.Has("note")) {
      PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
    }
  } else {
    PL_ASSIGN_OR_RETURN(b.unit_id, CreditCode(r, "unit_id"));
    if (type == "score.recorded") {
      PL_ASSIGN_OR_RETURN(b.score, r.Integer("score"));
      if (b.score < 0 || b.score > 100) return SchemaViolation("score", "score must be 0-100, got " + std::to_string(b.score));
    } else if (type == "spotcheck.recorded") {
      PL_ASSIGN_OR_RETURN(b.passed, r.Bool("passed"));
    } else if (type == "objection.filed") {
      PL_ASSIGN_OR_RETURN(b.text, r.Text("summary"));
    } else if (type == "title.revoked") {
      PL_ASSIGN_OR_RETURN(b.text, r.String("reason"));
      if (!OneOf(b.text, kRevocationReasons)) return SchemaViolation("reason", "reason must be " + ListOf(kRevocationReasons));
      if (r.Has("note")) {
        PL_ASSIGN_OR_RETURN(b.note, r.Text("note"));
      } else if (b.text == "other") {
        return SchemaViolation("note", "a revocation for reason other needs a note");
      }
    }
  }
  return b;
}

}  // namespace pilotledger::projections
