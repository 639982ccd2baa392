#include "projections/vocabulary.h"

namespace pilotledger::projections {

std::vector<MetricInfo> MetricsFor(std::string_view category, std::string_view subtype) {
  using T = MetricType;
  if (category == "enterprise") {
    std::vector<MetricInfo> m = {{"years_registered", T::kInteger}, {"violations_3y", T::kBoolean},
                                 {"dishonest_debtor", T::kBoolean},  {"deployed_projects", T::kInteger},
                                 {"business_model", T::kBoolean}};
    if (subtype == "product") {
      m.insert(m.end(), {{"revenue", T::kInteger}, {"rnd_ratio_bp", T::kInteger}, {"ip_items", T::kInteger}});
    } else if (subtype == "platform") {
      m.insert(m.end(), {{"revenue", T::kInteger}, {"market_revenue_bp", T::kInteger}, {"monthly_orders", T::kInteger},
                         {"users", T::kInteger}, {"product_kinds", T::kInteger}});
    } else if (subtype == "institution") {
      m.insert(m.end(), {{"revenue", T::kInteger}, {"beds", T::kInteger}, {"product_kinds", T::kInteger},
                         {"information_system", T::kBoolean}});
    } else if (subtype == "service") {
      m.insert(m.end(), {{"revenue", T::kInteger}, {"users", T::kInteger}, {"service_platform", T::kBoolean},
                         {"service_standards", T::kBoolean}});
    }
    return m;
  }
  if (category == "park") {
    return {{"government_key_project", T::kBoolean}, {"field_enterprises", T::kInteger},
            {"new_field_enterprises", T::kInteger},  {"field_revenue_bp", T::kInteger},
            {"talent_mechanism", T::kBoolean},       {"demo_enterprises", T::kInteger},
            {"violations_3y", T::kBoolean},          {"dishonest_debtor", T::kBoolean}};
  }
  if (category == "street") {
    return {{"investment", T::kInteger},    {"it_investment", T::kInteger},  {"product_kinds", T::kInteger},
            {"service_kinds", T::kInteger}, {"people_served", T::kInteger},  {"online_offline", T::kBoolean},
            {"contractor_evaluation", T::kBoolean}};
  }
  if (category == "base") {
    return {{"it_investment", T::kInteger},      {"development_plan", T::kBoolean},
            {"supporting_policies", T::kBoolean}, {"unified_platform", T::kBoolean},
            {"experience_centres", T::kInteger},  {"demo_streets", T::kInteger},
            {"medical_elderly_institutions", T::kInteger}, {"service_standards", T::kBoolean}};
  }
  return {};
}

std::vector<std::string> EligibilityGroupsFor(std::string_view category, std::string_view subtype) {
  if (category == "enterprise") return {"enterprise", "enterprise." + std::string(subtype)};
  return {std::string(category)};
}

bool IsRegionCode(std::string_view code) {
  if (code.size() != 6) return false;
  for (const char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace pilotledger::projections
