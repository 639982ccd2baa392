#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The protocol's fixed vocabulary (PROTOCOL.md §5–§6, DOMAIN.md): names, never thresholds.
namespace pilotledger::projections {

inline constexpr std::string_view kRoles[] = {"ministry", "provincial", "soe_group", "expert", "applicant", "auditor"};
inline constexpr std::string_view kMinistryDepartments[] = {"miit", "mca", "nhc"};
inline constexpr std::string_view kProvincialDepartments[] = {"miit", "civil", "health"};
inline constexpr std::string_view kCategories[] = {"enterprise", "park", "street", "base"};
inline constexpr std::string_view kSubtypes[] = {"product", "platform", "institution", "service"};
inline constexpr std::string_view kScenarios[] = {
    "family_health",        "primary_care_health", "elderly_health_promotion", "rehabilitation_aids",
    "internet_medical",     "family_care_beds",    "community_day_care",       "home_visit_services",
    "elderly_canteen",      "smart_nursing_home",  "care_supervision",         "smart_elderly_restaurant",
    "virtual_nursing_home", "medical_elderly_integration"};
inline constexpr std::string_view kRevocationReasons[] = {"review_failed", "review_not_requested",
                                                          "assessment_failed", "objection_upheld", "other"};
inline constexpr std::string_view kSoeAuthorityPrefix = "soe:";
// How an authority checked a unit before recommending it (逐一审查、核实; 现场调研与材料审核相结合).
inline constexpr std::string_view kCheckMethods[] = {"material_review", "site_visit"};
// Why a recommended unit is not selected (application.rejected) or does not pass its review
// (review.failed); each must fit the record (docs/rules.md, "Outcomes").
inline constexpr std::string_view kOutcomeReasons[] = {"score_below_line", "spot_check_failed", "objection_upheld",
                                                       "not_eligible", "withdrawn", "other"};
// The three areas in which the 2023 review looks for clear progress (产业发展、服务能力、行业影响力).
inline constexpr std::string_view kProgressAreas[] = {"industry_development", "service_capability", "industry_influence"};

enum class MetricType { kInteger, kBoolean };
struct MetricInfo {
  std::string_view name;
  MetricType type;
};
// The metrics a unit of `category` (and enterprise `subtype`) may declare (DOMAIN.md's table).
std::vector<MetricInfo> MetricsFor(std::string_view category, std::string_view subtype);
// The eligibility-criteria groups that apply: "enterprise" and "enterprise.<subtype>", or the category.
std::vector<std::string> EligibilityGroupsFor(std::string_view category, std::string_view subtype);

template <size_t N>
bool OneOf(std::string_view value, const std::string_view (&names)[N]) {
  for (std::string_view n : names) {
    if (n == value) return true;
  }
  return false;
}

// "a", "b" or "c" for error messages.
template <size_t N>
std::string ListOf(const std::string_view (&names)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i) out += (i + 1 == N) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// True for a 6-digit GB/T 2260 code.
bool IsRegionCode(std::string_view code);

}  // namespace pilotledger::projections
