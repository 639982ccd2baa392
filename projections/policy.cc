#include "projections/policy.h"

#include "ledger/event.h"
#include "projections/bodies.h"
#include "projections/body_schema.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

Json Slot(const char* role, const char* department = "", const char* scope = "") {
  Json s = {{"role", role}};
  if (*department) s["department"] = department;
  if (*scope) s["scope"] = scope;
  return s;
}

bool Fits(const PolicySlot& slot, const Actor& a, const UnitScope& scope) {
  if (a.role != slot.role) return false;
  if (!slot.department.empty() && a.department != slot.department) return false;
  if (!scope.resolved) return true;
  if (slot.scope == "unit") return a.unit == scope.unit_id;
  if (slot.scope == "authority") return !a.authority().empty() && a.authority() == scope.authority;
  return true;
}

// Assigns distinct signers to slots[i..] by backtracking (a handful of slots and signers).
bool Match(const PolicyAlternative& slots, size_t i, const std::vector<const Actor*>& signers,
           std::vector<bool>& used, const UnitScope& scope) {
  if (i == slots.size()) return true;
  for (size_t s = 0; s < signers.size(); ++s) {
    if (used[s] || !Fits(slots[i], *signers[s], scope)) continue;
    used[s] = true;
    if (Match(slots, i + 1, signers, used, scope)) return true;
    used[s] = false;
  }
  return false;
}

std::string Describe(const PolicySlot& slot, const UnitScope& scope) {
  std::string d = slot.role;
  if (!slot.department.empty()) d += " " + slot.department;
  if (slot.scope == "unit") d += " of unit " + (scope.resolved ? scope.unit_id : std::string("(the unit)"));
  if (slot.scope == "authority") d += " of authority " + (scope.resolved ? scope.authority : std::string("(the unit's)"));
  return d;
}

std::string Describe(const Actor& a) {
  std::string d = a.id + " (" + a.role;
  if (!a.department.empty()) d += " " + a.department;
  if (!a.authority().empty()) d += " of " + a.authority();
  if (!a.unit.empty()) d += " of unit " + a.unit;
  return d + ")";
}

}  // namespace

Json DefaultPolicyJson() {
  const Json one_ministry = Json::array({Json::array({Slot("ministry")})});
  const Json three_ministries =
      Json::array({Json::array({Slot("ministry", "miit"), Slot("ministry", "mca"), Slot("ministry", "nhc")})});
  const Json applicant_or_authority =
      Json::array({Json::array({Slot("applicant", "", "unit")}), Json::array({Slot("provincial", "", "authority")}),
                   Json::array({Slot("soe_group", "", "authority")})});
  const Json authority_jointly = Json::array(
      {Json::array({Slot("provincial", "miit", "authority"), Slot("provincial", "civil", "authority"),
                    Slot("provincial", "health", "authority")}),
       Json::array({Slot("soe_group", "", "authority")})});
  Json p = Json::object();
  for (const char* t : {"actor.registered", "actor.revoked", "objection.filed", "objection.resolved"}) p[t] = one_ministry;
  p["spotcheck.recorded"] = Json::array({Json::array({Slot("ministry")}), Json::array({Slot("expert")})});
  for (const char* t : {"campaign.opened", "campaign.amended", "quota.exception", "publication.issued", "title.granted",
                        "review.passed", "title.revoked"}) {
    p[t] = three_ministries;
  }
  for (const char* t : {"submission.filed", "review.requested"}) p[t] = applicant_or_authority;
  for (const char* t : {"recommendation.issued", "review.recommended", "review.requirements"}) p[t] = authority_jointly;
  for (const char* t : {"review.scope", "application.rejected", "review.failed", "campaign.closed", "assessment.recorded"}) {
    p[t] = three_ministries;
  }
  p["score.recorded"] = Json::array({Json::array({Slot("expert")})});
  return p;
}

ScopeSource UnitScopeOf(EventType type) {
  return std::visit(
      Overloaded{[](const SubmissionFiled&) { return ScopeSource::kUnitDescriptor; },
                 [](const AnyOf<RecommendationIssued, ReviewRequested, ReviewRecommended> auto&) { return ScopeSource::kUnitId; },
                 [](const ReviewRequirementsSet&) { return ScopeSource::kAuthority; },
                 [](const AnyOf<Genesis, KeyRotated, ActorRegistered, ActorRevoked, CampaignOpened, CampaignAmended, QuotaExceptionGranted,
                                ScoreRecorded, SpotcheckRecorded, PublicationIssued, ObjectionFiled, ObjectionResolved,
                                TitleGranted, ReviewPassed, TitleRevoked, ReviewScope, ApplicationRejected, ReviewFailed,
                                CampaignClosed, AssessmentRecorded> auto&) { return ScopeSource::kNone; }},
      EmptyBody(type).value);
}

bool IsUnitScopedType(EventType type) { return UnitScopeOf(type) != ScopeSource::kNone; }

bool IsUnitScopedType(const std::string& type) {
  const std::optional<EventType> t = EventTypeFromName(type);
  return t && IsUnitScopedType(*t);
}

Result<Policy> ParsePolicy(const Json& j, const std::string& where) {
  if (!j.is_object()) return SchemaViolation(where, where + " must be an object of event types");
  Policy policy;
  for (const auto& [type, alternatives] : j.items()) {
    const std::string field = where + "." + type;
    const std::optional<EventType> event_type = EventTypeFromName(type);
    if (!event_type || *event_type == EventType::kGenesis || *event_type == EventType::kKeyRotated) return SchemaViolation(field, "no event type " + type + " to sign");
    if (!alternatives.is_array() || alternatives.empty()) {
      return SchemaViolation(field, field + " must be a non-empty list of alternatives");
    }
    for (size_t a = 0; a < alternatives.size(); ++a) {
      const std::string alt_field = field + "[" + std::to_string(a) + "]";
      if (!alternatives[a].is_array() || alternatives[a].empty() || alternatives[a].size() > kMaxSignatures) {
        return SchemaViolation(alt_field, alt_field + " must be a non-empty list of required signers");
      }
      PolicyAlternative alt;
      for (size_t s = 0; s < alternatives[a].size(); ++s) {
        const std::string slot_field = alt_field + "[" + std::to_string(s) + "]";
        BodyReader r(alternatives[a][s], slot_field);
        PL_RETURN_IF_ERROR(r.OnlyFields({"role", "department", "scope"}));
        PolicySlot slot;
        PL_ASSIGN_OR_RETURN(slot.role, r.String("role"));
        if (!OneOf(slot.role, kRoles)) return SchemaViolation(r.Field("role"), "role must be " + ListOf(kRoles));
        if (r.Has("department")) {
          PL_ASSIGN_OR_RETURN(slot.department, r.String("department"));
          const bool ok = (slot.role == "ministry" && OneOf(slot.department, kMinistryDepartments)) ||
                          (slot.role == "provincial" && OneOf(slot.department, kProvincialDepartments));
          if (!ok) return SchemaViolation(r.Field("department"), "no department " + slot.department + " for role " + slot.role);
        }
        if (r.Has("scope")) {
          PL_ASSIGN_OR_RETURN(slot.scope, r.String("scope"));
          const bool ok = IsUnitScopedType(*event_type) &&
                          ((slot.scope == "unit" && slot.role == "applicant" && UnitScopeOf(*event_type) != ScopeSource::kAuthority) ||
                           (slot.scope == "authority" && (slot.role == "provincial" || slot.role == "soe_group")));
          if (!ok) return SchemaViolation(r.Field("scope"), "scope " + slot.scope + " does not apply to " + slot.role + " on " + type);
        }
        alt.push_back(std::move(slot));
      }
      policy.rules[type].push_back(std::move(alt));
    }
  }
  for (const EventTypeInfo& t : EventTypes()) {
    if (t.type != EventType::kGenesis && t.type != EventType::kKeyRotated && !policy.rules.count(std::string(t.name))) {
      return SchemaViolation(where + "." + std::string(t.name), "the policy says nothing about " + std::string(t.name));
    }
  }
  return policy;
}

Status Authorize(const Policy& policy, const std::string& type, const std::vector<const Actor*>& signers,
                 const UnitScope& scope) {
  const auto it = policy.rules.find(type);
  if (it == policy.rules.end()) return Status(Code::kForbidden, "no one may sign " + type);
  for (const PolicyAlternative& alt : it->second) {
    std::vector<bool> used(signers.size(), false);
    if (Match(alt, 0, signers, used, scope)) return Status::Ok();
  }
  std::string needed;
  for (size_t a = 0; a < it->second.size(); ++a) {
    if (a) needed += "; or ";
    for (size_t s = 0; s < it->second[a].size(); ++s) needed += (s ? " + " : "") + Describe(it->second[a][s], scope);
  }
  std::string got;
  for (size_t s = 0; s < signers.size(); ++s) got += (s ? ", " : "") + Describe(*signers[s]);
  return Status(Code::kForbidden, type + " needs the signatures of " + needed + "; signed by " + got,
                {{"required", needed}});
}

}  // namespace pilotledger::projections
