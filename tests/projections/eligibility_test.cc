// Eligibility (DOMAIN.md, docs/rules.md "2021 eligibility"): every threshold of every category and
// enterprise subtype, exactly at the value and just below, in 2021 and in 2023 (whose provisional
// rules are 2021's). recommendation.issued refuses an ineligible unit naming each failed criterion.
#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::Crit;
using fx::IsRule;
using fx::Ledger;

struct Category {
  std::string category, subtype, authority;  // a distinct authority each, so quotas never interfere
};
const std::vector<Category> kCategories = {
    {"enterprise", "product", "110000"},  {"enterprise", "platform", "120000"}, {"enterprise", "institution", "130000"},
    {"enterprise", "service", "140000"},  {"park", "", "150000"},               {"street", "", "310000"},
    {"base", "", "320000"},
};


// The rule file's criterion `id` in `group`, or null.
Json FindCriterion(const Json& rules, const std::string& group, const std::string& id) {
  for (const Json& c : rules["eligibility"][group]) {
    if (c["id"] == id) return c;
  }
  return Json();
}

TEST(EligibilityTest, RuleFilesHoldExactlyTheGuideThresholds) {
  const Json r2021 = fx::CampaignRules("2021");
  size_t listed = 0;
  for (const auto& [group, list] : r2021["eligibility"].items()) listed += list.size();
  EXPECT_EQ(listed, fx::Criteria2021().size());
  for (const Crit& c : fx::Criteria2021()) {
    SCOPED_TRACE(c.id);
    const Json j = FindCriterion(r2021, c.group, c.id);
    ASSERT_TRUE(j.is_object());
    switch (c.kind) {
      case Crit::kMin: EXPECT_EQ(j["metric"], c.metric); EXPECT_EQ(j["min"], c.min); break;
      case Crit::kTrue: EXPECT_EQ(j["metric"], c.metric); EXPECT_EQ(j["equals"], true); break;
      case Crit::kFalse: EXPECT_EQ(j["metric"], c.metric); EXPECT_EQ(j["equals"], false); break;
      case Crit::kAnyOf:
        EXPECT_EQ(j["any_of"], (Json{{{"metric", c.metric}, {"min", c.min}}, {{"metric", c.metric2}, {"min", c.min2}}}));
        break;
      case Crit::kScenariosMin: EXPECT_EQ(j["scenarios_min"], c.min); break;
      case Crit::kScenariosInclude: EXPECT_EQ(j["scenarios_include"], Json::array({c.metric})); break;
    }
  }
  // 2023's provisional criteria are 2021's, the revenue year read as the 2023 call's prior year (2022).
  std::string as_2021 = fx::CampaignRules("2023")["eligibility"].dump();
  for (size_t at = as_2021.find("2022年"); at != std::string::npos; at = as_2021.find("2022年", at)) as_2021.replace(at, 4, "2020");
  EXPECT_EQ(Json::parse(as_2021), r2021["eligibility"]);
  EXPECT_EQ(fx::CampaignRules("2023")["eligibility"].dump().find("2020年"), std::string::npos);
  EXPECT_EQ(fx::CampaignRules("2023")["provisional"], true);
}

TEST(EligibilityTest, MetricsExactlyAtEveryThresholdAreEligibleAndRecommended) {
  for (const std::string campaign : {"2021", "2023"}) {
    auto l = fx::OpenLedger(campaign);
    for (const Category& c : kCategories) {
      SCOPED_TRACE(campaign + " " + c.category + " " + c.subtype);
      const std::string id = l->AddUnit(campaign, c.authority, c.category, c.subtype);
      EXPECT_EQ(l->UnitJson(id)["eligibility"][campaign]["eligible"], true);
      EXPECT_EQ(l->UnitJson(id)["eligibility"][campaign]["failed"], Json::array());
      EXPECT_OK(l->Recommend(campaign, id));
    }
  }
}

// One way to fail (or, with `message` empty, still pass) one criterion.
struct Variant {
  std::string what;
  Json metrics;
  std::vector<std::string> scenarios;
  std::string message;  // the expected failure message; empty: still eligible
};

// The variants of criterion `c` applied to the passing metrics of `category`.
std::vector<Variant> VariantsOf(const Crit& c, const std::string& category, const std::string& subtype) {
  const Json pass = fx::PassingMetrics(category, subtype);
  const std::vector<std::string> scenarios = fx::PassingScenarios(category);
  const auto with = [&](std::initializer_list<std::pair<const char*, Json>> changes) {
    Json m = pass;
    for (const auto& [name, value] : changes) {
      if (value.is_null()) {
        m.erase(name);
      } else {
        m[name] = value;
      }
    }
    return m;
  };
  const std::string metric = c.metric;
  switch (c.kind) {
    case Crit::kMin:
      return {{"min-1", with({{c.metric, c.min - 1}}), scenarios, metric + " " + std::to_string(c.min - 1) + " < " + std::to_string(c.min)},
              {"missing", with({{c.metric, nullptr}}), scenarios, metric + " missing"},
              {"min+1", with({{c.metric, c.min + 1}}), scenarios, ""}};
    case Crit::kTrue:
      return {{"false", with({{c.metric, false}}), scenarios, metric + " is false, must be true"},
              {"missing", with({{c.metric, nullptr}}), scenarios, metric + " missing"}};
    case Crit::kFalse:
      return {{"true", with({{c.metric, true}}), scenarios, metric + " is true, must be false"},
              {"missing", with({{c.metric, nullptr}}), scenarios, metric + " missing"}};
    case Crit::kAnyOf: {
      const std::string m2 = c.metric2;
      return {{"both below", with({{c.metric, c.min - 1}, {c.metric2, c.min2 - 1}}), scenarios,
               metric + " " + std::to_string(c.min - 1) + " < " + std::to_string(c.min) + " and " + m2 + " " +
                   std::to_string(c.min2 - 1) + " < " + std::to_string(c.min2)},
              {"both missing", with({{c.metric, nullptr}, {c.metric2, nullptr}}), scenarios, metric + " missing and " + m2 + " missing"},
              {"only the first", with({{c.metric, c.min}, {c.metric2, 0}}), scenarios, ""},
              {"only the second", with({{c.metric, 0}, {c.metric2, c.min2}}), scenarios, ""},
              {"only the second, first missing", with({{c.metric, nullptr}}), scenarios, ""}};
    }
    case Crit::kScenariosMin:
      return {{"one scenario fewer", pass, fx::CommonScenarios(c.min - 1),
               "scenarios " + std::to_string(c.min - 1) + " < " + std::to_string(c.min)},
              {"more scenarios", pass, fx::CommonScenarios(c.min + 2), ""}};
    case Crit::kScenariosInclude:
      return {{"without it", pass, fx::CommonScenarios(scenarios.size(), false), "scenarios lack " + metric}};
  }
  return {};
}

TEST(EligibilityTest, JustBelowEachThresholdIsNotEligibleAndNamesExactlyThatCriterion) {
  int refused = 0;
  for (const std::string campaign : {"2021", "2023"}) {
    auto l = fx::OpenLedger(campaign);
    for (const Category& cat : kCategories) {
      for (const Crit& c : fx::Criteria2021()) {
        const std::vector<std::string> groups = fx::GroupsOf(cat.category, cat.subtype);
        if (std::find(groups.begin(), groups.end(), c.group) == groups.end()) continue;
        for (const Variant& v : VariantsOf(c, cat.category, cat.subtype)) {
          SCOPED_TRACE(campaign + " " + cat.category + " " + cat.subtype + " " + c.id + " " + v.what);
          const UnitDescriptor u = l->NewUnit(cat.authority, cat.category, cat.subtype);
          ASSERT_OK(l->Submit(campaign, u, v.metrics, v.scenarios));
          const Status s = l->Try("recommendation.issued", l->Checked(l->Documented("recommendation.issued", {{"campaign", campaign}, {"unit_id", u.id}})),
                                  l->AuthoritySigners(cat.authority));
          if (v.message.empty()) {
            EXPECT_OK(s);
            continue;
          }
          ++refused;
          ASSERT_TRUE(IsRule(s, "not_eligible", {"unit " + u.id + " (" + u.name + ") is not eligible in campaign " + campaign + ": " +
                                                     c.id + ": " + v.message}));
          ASSERT_EQ(s.details()["failed"].size(), 1u) << s.details().dump();
          EXPECT_EQ(s.details()["failed"][0]["id"], c.id);
          EXPECT_EQ(s.details()["failed"][0]["message"], v.message);
          EXPECT_EQ(s.details()["failed"][0]["text"], FindCriterion(fx::CampaignRules(campaign), c.group, c.id)["text"]);
          const Json e = l->UnitJson(u.id)["eligibility"][campaign];
          EXPECT_EQ(e["eligible"], false);
          EXPECT_EQ(e["failed"], s.details()["failed"]);
        }
      }
    }
  }
  // Per campaign: E-2..E-6 for each of 4 subtypes (40), the subtypes' own (6 + 10 + 8 + 8), park 14,
  // street 16, base 17; two refusing variants per criterion, one per scenario criterion.
  EXPECT_EQ(refused, 2 * (40 + 32 + 14 + 16 + 17));
}

TEST(EligibilityTest, EveryFailedCriterionIsNamedInOrder) {
  Ledger l;
  l.Open2023WithBatches();
  const UnitDescriptor u = l.NewUnit("440000", "enterprise", "institution");
  ASSERT_OK(l.Submit("2023", u, {{"violations_3y", true}, {"beds", 299}}, {}));
  const Status s = l.Recommend("2023", u.id);
  ASSERT_TRUE(IsRule(s, "not_eligible", {"E-2: years_registered missing; E-3: violations_3y is true, must be false; "
                                         "E-4: dishonest_debtor missing"}));
  std::vector<std::string> ids;
  for (const Json& f : s.details()["failed"]) ids.push_back(f["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"E-2", "E-3", "E-4", "E-5", "E-6", "EI-1", "EI-2", "EI-3", "EI-4"}));
  EXPECT_EQ(s.details()["failed"][6]["message"], "beds 299 < 300");
  EXPECT_EQ(l.Quota("2023", "440000")["places"]["enterprise"]["used"], 0) << "a refused recommendation uses no place";
}

TEST(EligibilityTest, AnAmendmentJudgesFromItsSeqOn) {
  Ledger l;
  l.Open2023WithBatches();
  const std::string before = l.AddUnit("2023", "440000", "enterprise", "product");
  ASSERT_OK(l.Recommend("2023", before));
  const std::string after = l.AddUnit("2023", "440000", "enterprise", "product");
  Json rules = fx::CampaignRules("2023");
  for (Json& c : rules["eligibility"]["enterprise.product"]) {
    if (c["id"] == "EP-2") c["min"] = 500;
  }
  ASSERT_OK(l.Append("campaign.amended", {{"campaign", "2023"}, {"rules", rules}, {"reason", "annex 1 found"}}, Ledger::Ministries()));
  const uint64_t amended = l.last_seq();
  EXPECT_TRUE(IsRule(l.Recommend("2023", after), "not_eligible", {"EP-2: rnd_ratio_bp 400 < 500"}));
  EXPECT_EQ(l.UnitJson(before)["eligibility"]["2023"], (Json{{"eligible", false},
                                                             {"rules_seq", amended},
                                                             {"failed", {{{"id", "EP-2"}, {"message", "rnd_ratio_bp 400 < 500"},
                                                                          {"text", "研发投入占总收入占比不少于4%"}}}}}));
  EXPECT_EQ(l.state.FindUnit(before)->applications.at("2023").recommended_seq.has_value(), true)
      << "the earlier recommendation stands: it was judged by the rules of its time";
}

}  // namespace
}  // namespace pilotledger::projections
