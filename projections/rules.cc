#include "projections/rules.h"

#include <algorithm>
#include <set>

#include "ledger/event.h"
#include "projections/body_schema.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Every metric name any category may declare, for checking criteria.
bool IsMetricOf(const std::string& group, const std::string& metric) {
  const auto dot = group.find('.');
  const std::string category = group.substr(0, dot);
  const std::string subtype = dot == std::string::npos ? "" : group.substr(dot + 1);
  for (const MetricInfo& m : MetricsFor(category, subtype)) {
    if (m.name == metric) return true;
  }
  return false;
}

Result<std::vector<std::string>> Names(const BodyReader& r, const std::string& name,
                                      const std::function<bool(const std::string&)>& valid) {
  PL_ASSIGN_OR_RETURN(auto list, r.StringList(name));
  for (size_t i = 0; i < list.size(); ++i) {
    if (!valid(list[i])) return SchemaViolation(r.Field(name) + "[" + std::to_string(i) + "]", "unknown " + name + " " + list[i]);
  }
  return list;
}

Result<Criterion> ParseCriterion(const Json& j, const std::string& where, const std::string& group, bool top) {
  BodyReader r(j, where);
  std::vector<std::string> fields = {"metric", "min", "equals", "any_of", "scenarios_min", "scenarios_include", "text"};
  if (top) fields.push_back("id");
  PL_RETURN_IF_ERROR(r.OnlyFields(fields));
  Criterion c;
  if (top) {
    PL_ASSIGN_OR_RETURN(c.id, r.Id("id"));
  }
  if (r.Has("text")) {
    PL_ASSIGN_OR_RETURN(c.text, r.Text("text"));
  }
  const int kinds = r.Has("min") + r.Has("equals") + r.Has("any_of") + r.Has("scenarios_min") + r.Has("scenarios_include");
  if (kinds != 1) return SchemaViolation(where, where + " must be exactly one of min, equals, any_of, scenarios_min, scenarios_include");
  if (r.Has("min") || r.Has("equals")) {
    PL_ASSIGN_OR_RETURN(c.metric, r.String("metric"));
    if (!IsMetricOf(group, c.metric)) return SchemaViolation(r.Field("metric"), "no metric " + c.metric + " for " + group);
    if (r.Has("min")) {
      c.kind = Criterion::Kind::kMin;
      PL_ASSIGN_OR_RETURN(c.min, r.Integer("min"));
    } else {
      c.kind = Criterion::Kind::kEquals;
      PL_ASSIGN_OR_RETURN(c.equals, r.Bool("equals"));
    }
    return c;
  }
  if (r.Has("metric")) return SchemaViolation(r.Field("metric"), "metric goes only with min or equals");
  if (r.Has("any_of")) {
    c.kind = Criterion::Kind::kAnyOf;
    const Json& list = r.Get("any_of");
    if (!list.is_array() || list.size() < 2) return SchemaViolation(r.Field("any_of"), "any_of needs at least two criteria");
    for (size_t i = 0; i < list.size(); ++i) {
      PL_ASSIGN_OR_RETURN(Criterion sub, ParseCriterion(list[i], r.Field("any_of") + "[" + std::to_string(i) + "]", group, false));
      c.any_of.push_back(std::move(sub));
    }
  } else if (r.Has("scenarios_min")) {
    c.kind = Criterion::Kind::kScenariosMin;
    PL_ASSIGN_OR_RETURN(c.min, r.Integer("scenarios_min"));
  } else {
    c.kind = Criterion::Kind::kScenariosInclude;
    PL_ASSIGN_OR_RETURN(c.include, Names(r, "scenarios_include", [](const std::string& s) { return OneOf(s, kScenarios); }));
  }
  return c;
}

std::string Show(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The reason `c` fails, or "" if it holds.
std::string Judge(const Criterion& c, const Json& metrics, const std::set<std::string>& scenarios) {
  switch (c.kind) {
    case Criterion::Kind::kMin: {
      if (!metrics.contains(c.metric) || !metrics[c.metric].is_number_integer()) return c.metric + " missing";
      const int64_t v = metrics[c.metric].get<int64_t>();
      return v >= c.min ? "" : c.metric + " " + std::to_string(v) + " < " + std::to_string(c.min);
    }
    case Criterion::Kind::kEquals: {
      if (!metrics.contains(c.metric) || !metrics[c.metric].is_boolean()) return c.metric + " missing";
      const bool v = metrics[c.metric].get<bool>();
      return v == c.equals ? "" : c.metric + " is " + Show(v) + ", must be " + Show(c.equals);
    }
    case Criterion::Kind::kAnyOf: {
      std::string all;
      for (const Criterion& sub : c.any_of) {
        const std::string why = Judge(sub, metrics, scenarios);
        if (why.empty()) return "";
        all += (all.empty() ? "" : " and ") + why;
      }
      return all;
    }
    case Criterion::Kind::kScenariosMin:
      return int64_t(scenarios.size()) >= c.min
                 ? ""
                 : "scenarios " + std::to_string(scenarios.size()) + " < " + std::to_string(c.min);
    case Criterion::Kind::kScenariosInclude: {
      std::string missing;
      for (const std::string& s : c.include) {
        if (!scenarios.count(s)) missing += (missing.empty() ? "" : ", ") + s;
      }
      return missing.empty() ? "" : "scenarios lack " + missing;
    }
  }
  return "";
}

}  // namespace

bool CampaignRules::HasCategory(const std::string& c) const { return Contains(categories, c); }
bool CampaignRules::HasSubtype(const std::string& s) const { return Contains(subtypes, s); }
bool CampaignRules::HasScenario(const std::string& s) const { return Contains(scenarios, s); }

std::string CampaignRules::AuthorityKind(const std::string& authority) const {
  if (authority.rfind(kSoeAuthorityPrefix, 0) == 0) return "soe_group";
  const auto it = authority_kinds.find(authority);
  return it == authority_kinds.end() ? "" : it->second;
}

std::optional<int64_t> CampaignRules::Quota(const std::string& kind, const std::string& category) const {
  const auto k = quotas.find(kind);
  if (k == quotas.end()) return std::nullopt;
  const auto c = k->second.find(kind == "soe_group" ? "total" : category);
  if (c == k->second.end()) return std::nullopt;
  return c->second;
}

Result<CampaignRules> ParseRules(const Json& j, const std::string& where) {
  BodyReader r(j, where);
  PL_RETURN_IF_ERROR(r.OnlyFields({"campaign", "title", "document", "source", "historical", "provisional", "deadline",
                                   "categories", "subtypes", "scenarios", "authority_kinds", "quotas", "eligibility",
                                   "review", "scoring", "documents", "recommendation_check", "applicants", "notes"}));
  CampaignRules rules;
  PL_ASSIGN_OR_RETURN(rules.campaign, r.Id("campaign"));
  if (r.Has("title")) {
    PL_ASSIGN_OR_RETURN(rules.title, r.Text("title"));
  }
  for (const char* text : {"document", "source", "notes"}) {
    if (r.Has(text)) PL_RETURN_IF_ERROR(r.Text(text).status());
  }
  if (r.Has("historical")) {
    PL_ASSIGN_OR_RETURN(rules.historical, r.Bool("historical"));
  }
  if (r.Has("provisional")) {
    PL_ASSIGN_OR_RETURN(rules.provisional, r.Bool("provisional"));
  }
  if (r.Has("deadline")) {
    PL_ASSIGN_OR_RETURN(rules.deadline_text, r.String("deadline"));
    Result<Timestamp> t = ParseRfc3339(rules.deadline_text, TimeZoneRule::kAnyOffset);
    if (!t.ok()) return SchemaViolation(r.Field("deadline"), t.status().message());
    rules.deadline = *t;
  } else if (!rules.historical) {
    return SchemaViolation(r.Field("deadline"), "a selection campaign needs a deadline");
  }
  PL_ASSIGN_OR_RETURN(rules.categories, Names(r, "categories", [](const std::string& s) { return OneOf(s, kCategories); }));
  if (r.Has("subtypes")) {
    PL_ASSIGN_OR_RETURN(rules.subtypes, Names(r, "subtypes", [](const std::string& s) { return OneOf(s, kSubtypes); }));
  }
  if (r.Has("scenarios")) {
    PL_ASSIGN_OR_RETURN(rules.scenarios, Names(r, "scenarios", [](const std::string& s) { return OneOf(s, kScenarios); }));
  }
  if (r.Has("authority_kinds")) {
    const Json& kinds = r.Get("authority_kinds");
    if (!kinds.is_object()) return SchemaViolation(r.Field("authority_kinds"), "authority_kinds must be an object");
    for (const auto& [code, kind] : kinds.items()) {
      const std::string f = r.Field("authority_kinds") + "." + code;
      if (!IsRegionCode(code)) return SchemaViolation(f, "authority codes are 6 digits");
      if (!kind.is_string() || (kind != "province" && kind != "planned_city_or_xpcc")) {
        return SchemaViolation(f, "kind must be province or planned_city_or_xpcc");
      }
      rules.authority_kinds[code] = kind.get<std::string>();
    }
  }
  if (r.Has("quotas")) {
    BodyReader q(r.Get("quotas"), r.Field("quotas"));
    PL_RETURN_IF_ERROR(q.OnlyFields({"province", "planned_city_or_xpcc", "soe_group"}));
    for (const auto& [kind, places] : r.Get("quotas").items()) {
      BodyReader p(places, q.Field(kind));
      std::vector<std::string> allowed = kind == "soe_group" ? std::vector<std::string>{"total"} : rules.categories;
      PL_RETURN_IF_ERROR(p.OnlyFields(allowed));
      for (const std::string& category : allowed) {
        if (!p.Has(category)) return SchemaViolation(p.Field(category), "missing quota " + p.Field(category));
        PL_ASSIGN_OR_RETURN(int64_t n, p.Integer(category));
        if (n < 0) return SchemaViolation(p.Field(category), "a quota is not negative");
        rules.quotas[kind][category] = n;
      }
    }
  } else if (!rules.historical) {
    return SchemaViolation(r.Field("quotas"), "a selection campaign needs quotas");
  }
  if (r.Has("eligibility")) {
    const Json& groups = r.Get("eligibility");
    if (!groups.is_object()) return SchemaViolation(r.Field("eligibility"), "eligibility must be an object");
    for (const auto& [group, list] : groups.items()) {
      const std::string f = r.Field("eligibility") + "." + group;
      const auto dot = group.find('.');
      const std::string category = group.substr(0, dot);
      const bool ok = rules.HasCategory(category) &&
                      (dot == std::string::npos || (category == "enterprise" && OneOf(group.substr(dot + 1), kSubtypes)));
      if (!ok) return SchemaViolation(f, "no category " + group + " in this campaign");
      if (!list.is_array()) return SchemaViolation(f, f + " must be a list of criteria");
      for (size_t i = 0; i < list.size(); ++i) {
        PL_ASSIGN_OR_RETURN(Criterion c, ParseCriterion(list[i], f + "[" + std::to_string(i) + "]", group, true));
        rules.eligibility[group].push_back(std::move(c));
      }
    }
  }
  if (r.Has("documents")) {
    const Json& docs = r.Get("documents");
    if (!docs.is_object()) return SchemaViolation(r.Field("documents"), "documents must be an object: event type -> document names");
    BodyReader d(docs, r.Field("documents"));
    for (const auto& [type, names] : docs.items()) {
      const EventTypeInfo* info = FindEventType(type);
      if (!info || info->type == EventType::kGenesis || info->type == EventType::kCampaignOpened) {
        return SchemaViolation(d.Field(type), "no event type " + type + " to require documents of");
      }
      PL_ASSIGN_OR_RETURN(rules.documents[type], d.StringList(type));
    }
  }
  if (r.Has("applicants")) {
    BodyReader ap(r.Get("applicants"), r.Field("applicants"));
    PL_RETURN_IF_ERROR(ap.OnlyFields({"county_level", "company_code", "soe_member_categories"}));
    ApplicantRules a;
    const auto category = [&](const std::string& s) { return rules.HasCategory(s); };
    PL_ASSIGN_OR_RETURN(a.county_level, Names(ap, "county_level", category));
    PL_ASSIGN_OR_RETURN(a.company_code, Names(ap, "company_code", category));
    PL_ASSIGN_OR_RETURN(a.soe_member_categories, Names(ap, "soe_member_categories", category));
    rules.applicants = std::move(a);
  }
  if (r.Has("recommendation_check")) {
    BodyReader rc(r.Get("recommendation_check"), r.Field("recommendation_check"));
    PL_RETURN_IF_ERROR(rc.OnlyFields({"methods"}));
    PL_ASSIGN_OR_RETURN(rules.check_methods, Names(rc, "methods", [](const std::string& s) { return OneOf(s, kCheckMethods); }));
  }
  if (r.Has("scoring")) {
    BodyReader sc(r.Get("scoring"), r.Field("scoring"));
    PL_RETURN_IF_ERROR(sc.OnlyFields({"min", "max", "scores_required"}));
    ScoringRules scoring;
    PL_ASSIGN_OR_RETURN(scoring.min, sc.Integer("min"));
    PL_ASSIGN_OR_RETURN(scoring.max, sc.Integer("max"));
    PL_ASSIGN_OR_RETURN(scoring.scores_required, sc.Integer("scores_required"));
    if (scoring.min < 0 || scoring.max <= scoring.min || scoring.max > 10000) {
      return SchemaViolation(sc.Field("max"), "the scale is min < max within 0-10000");
    }
    if (scoring.scores_required < 0 || scoring.scores_required > 100) {
      return SchemaViolation(sc.Field("scores_required"), "scores_required is 0-100");
    }
    rules.scoring = scoring;
  } else if (!rules.historical) {
    return SchemaViolation(r.Field("scoring"), "a selection campaign needs scoring");
  }
  if (r.Has("review")) {
    BodyReader rv(r.Get("review"), r.Field("review"));
    PL_RETURN_IF_ERROR(rv.OnlyFields({"batches", "cap_bp", "base", "one_track"}));
    ReviewRules review;
    PL_ASSIGN_OR_RETURN(review.batches, rv.StringList("batches"));
    PL_ASSIGN_OR_RETURN(review.cap_bp, rv.Integer("cap_bp"));
    if (review.cap_bp < 0 || review.cap_bp > 10000) return SchemaViolation(rv.Field("cap_bp"), "cap_bp is 0-10000");
    PL_ASSIGN_OR_RETURN(review.base, rv.String("base"));
    if (review.base != "listed" && review.base != "requested_and_titled") {
      return SchemaViolation(rv.Field("base"), "the review base is listed or requested_and_titled");
    }
    if (rv.Has("one_track")) {
      PL_ASSIGN_OR_RETURN(review.one_track, rv.Bool("one_track"));
    }
    rules.review = std::move(review);
  }
  return rules;
}

Eligibility Evaluate(const CampaignRules& rules, const std::string& category, const std::string& subtype,
                     const Json& metrics, const std::vector<std::string>& scenario_list) {
  const std::set<std::string> scenarios(scenario_list.begin(), scenario_list.end());
  Eligibility e;
  for (const std::string& group : EligibilityGroupsFor(category, subtype)) {
    const auto it = rules.eligibility.find(group);
    if (it == rules.eligibility.end()) continue;
    for (const Criterion& c : it->second) {
      std::string why = Judge(c, metrics, scenarios);
      if (!why.empty()) e.failed.push_back({c.id, c.text, std::move(why)});
    }
  }
  e.eligible = e.failed.empty();
  return e;
}

Json EligibilityJson(const Eligibility& e) {
  Json failed = Json::array();
  for (const CriterionFailure& f : e.failed) {
    Json item = {{"id", f.id}, {"message", f.message}};
    if (!f.text.empty()) item["text"] = f.text;
    failed.push_back(std::move(item));
  }
  return {{"eligible", e.eligible}, {"failed", std::move(failed)}};
}

}  // namespace pilotledger::projections
