// Quotas per campaign and authority (DOMAIN.md, docs/rules.md "Quotas"): up to the limit, one more
// refused, a quota.exception opens exactly its extra places, and QuotaView shows the numbers.
#include "projections/snapshot.h"
#include "tests/projections/fixture.h"

namespace pilotledger::projections {
namespace {

using fx::IsRule;
using fx::IsSchema;
using fx::Ledger;

struct QuotaCase {
  std::string campaign;
  std::string authority;  // "soe" for a central SOE group
  std::string kind;
  std::map<std::string, int64_t> limits;  // category (or "total") -> places
};

const std::vector<QuotaCase> kQuotaCases = {
    {"2021", "440000", "province", {{"enterprise", 3}, {"street", 10}, {"park", 3}, {"base", 3}}},
    {"2021", "440300", "planned_city_or_xpcc", {{"enterprise", 2}, {"street", 5}, {"park", 1}, {"base", 1}}},
    {"2021", "660000", "planned_city_or_xpcc", {{"enterprise", 2}, {"street", 5}, {"park", 1}, {"base", 1}}},
    {"2021", "soe", "soe_group", {{"total", 1}}},
    {"2023", "440000", "province", {{"enterprise", 3}, {"street", 8}, {"park", 3}, {"base", 3}}},
    {"2023", "440300", "planned_city_or_xpcc", {{"enterprise", 2}, {"street", 4}, {"park", 2}, {"base", 2}}},
    {"2023", "660000", "planned_city_or_xpcc", {{"enterprise", 2}, {"street", 4}, {"park", 2}, {"base", 2}}},
    {"2023", "soe", "soe_group", {{"total", 1}}},
};


TEST(QuotaTest, RulesFilesCarryTheQuotasOfTheCalls) {
  for (const QuotaCase& q : kQuotaCases) {
    const Json quotas = fx::CampaignRules(q.campaign)["quotas"];
    for (const auto& [category, limit] : q.limits) {
      EXPECT_EQ(quotas[q.kind][category], limit) << q.campaign << " " << q.kind << " " << category;
    }
    if (q.authority != "soe") {
      EXPECT_EQ(fx::CampaignRules(q.campaign)["authority_kinds"][q.authority], q.kind);
    }
  }
}

TEST(QuotaTest, AcceptsUpToTheLimitRefusesOneMoreAndAnExceptionOpensExactlyItsPlaces) {
  // An SOE group's single place is "in all": its members of both categories it may recommend
  // (enterprises and parks, rules `applicants`) share it.
  const std::vector<std::string> soe_categories = {"enterprise", "park"};
  for (const QuotaCase& q : kQuotaCases) {
    SCOPED_TRACE(q.campaign + " " + q.authority);
    auto l = fx::OpenLedger(q.campaign);
    const std::string authority = q.authority == "soe" ? l->SoeGroup("soe-a") : q.authority;
    for (const auto& [category, limit] : q.limits) {
      SCOPED_TRACE(category);
      size_t next = 0;
      const auto unit_category = [&] { return category == "total" ? soe_categories[next++ % soe_categories.size()] : category; };
      for (int64_t i = 0; i < limit; ++i) l->AddRecommended(q.campaign, authority, unit_category());

      const std::string over = l->AddUnit(q.campaign, authority, unit_category());
      const Status refused = l->Recommend(q.campaign, over);
      const std::string used = std::to_string(limit);
      ASSERT_TRUE(IsRule(refused, "quota_exceeded",
                         {"authority " + authority + " (" + q.kind + ") has used " + used + " of its " + used + " " + category +
                              " places in campaign " + q.campaign + " (no exception)",
                          over}));
      EXPECT_EQ(refused.details()["authority"], authority);
      EXPECT_EQ(refused.details()["category"], category);
      EXPECT_EQ(refused.details()["limit"], limit);
      EXPECT_EQ(refused.details()["used"], limit);
      EXPECT_EQ(refused.details()["extra"], 0);

      ASSERT_OK(l->Exception(q.campaign, authority, category, 1));
      ASSERT_OK(l->Recommend(q.campaign, over)) << "the refused unit takes the exception's place";
      const Status again = l->Recommend(q.campaign, l->AddUnit(q.campaign, authority, unit_category()));
      ASSERT_TRUE(IsRule(again, "quota_exceeded", {"plus 1 by exception"}));
      EXPECT_EQ(again.details()["used"], limit + 1);
      EXPECT_EQ(again.details()["extra"], 1);

      const Json view = l->Quota(q.campaign, authority);
      EXPECT_EQ(view["kind"], q.kind);
      EXPECT_EQ(view["places"][category], (Json{{"limit", limit}, {"extra", 1}, {"used", limit + 1}}));
    }
    const Json view = l->Quota(q.campaign, authority);
    EXPECT_EQ(view["exceptions"].size(), q.limits.size());
    for (const Json& e : view["exceptions"]) EXPECT_EQ(e["extra"], 1);
  }
}

TEST(QuotaTest, AnExceptionForAnotherCategoryOrAuthorityDoesNotHelp) {
  Ledger l;
  l.Open2023WithBatches();
  for (int i = 0; i < 3; ++i) l.AddRecommended("2023", "440000", "enterprise");
  const std::string over = l.AddUnit("2023", "440000", "enterprise");
  ASSERT_OK(l.Exception("2023", "440000", "street", 5));
  ASSERT_OK(l.Exception("2023", "450000", "enterprise", 5));
  ASSERT_OK(l.Exception("2023", "440000", "review", 5));
  EXPECT_TRUE(IsRule(l.Recommend("2023", over), "quota_exceeded", {"(no exception)"}));
}

TEST(QuotaTest, PlannedCityAndProvinceHaveSeparateQuotas) {
  Ledger l;
  l.Open2023WithBatches();
  for (int i = 0; i < 2; ++i) l.AddRecommended("2023", "440300", "enterprise");
  EXPECT_TRUE(IsRule(l.Recommend("2023", l.AddUnit("2023", "440300", "enterprise")), "quota_exceeded"));
  for (int i = 0; i < 3; ++i) ASSERT_OK(l.Recommend("2023", l.AddUnit("2023", "440000", "enterprise")));
  EXPECT_EQ(l.Quota("2023", "440000")["places"]["enterprise"]["used"], 3);
  EXPECT_EQ(l.Quota("2023", "440300")["places"]["enterprise"]["used"], 2);
  EXPECT_EQ(l.Quota("2023", "650000")["places"]["enterprise"]["used"], 0);
}

TEST(QuotaTest, SoeGroupsDoNotUseRegionalQuotaAndEachHasItsOwnPlace) {
  Ledger l;
  l.Open2023WithBatches();
  for (int i = 0; i < 3; ++i) l.AddRecommended("2023", "110000", "enterprise");
  ASSERT_OK(l.Recommend("2023", l.AddUnit("2023", l.SoeGroup("soe-a"), "enterprise")));
  ASSERT_OK(l.Recommend("2023", l.AddUnit("2023", l.SoeGroup("soe-b"), "enterprise")));
  EXPECT_EQ(l.Quota("2023", "soe:soe-a")["places"], (Json{{"total", {{"limit", 1}, {"extra", 0}, {"used", 1}}}}));
  EXPECT_EQ(l.Quota("2023", "110000")["places"]["enterprise"]["used"], 3);
}

// QuotaView lists every SOE group ever registered (State::soe_authorities, not a scan of the
// actors): one registered later appears, a revoked one keeps its row and its usage, and a state
// loaded from a snapshot lists the same rows.
TEST(QuotaTest, AnSoeGroupShowsUpWhenRegisteredAndKeepsItsRowWhenRevoked) {
  Ledger l;
  l.Open2023WithBatches();
  const auto soe_rows = [](const State& s) {
    std::vector<std::string> rows;
    const Json view = QuotaView(s, *s.FindCampaign("2023"));
    for (const Json& a : view["authorities"]) {
      if (a["kind"] == "soe_group") rows.push_back(a["authority"].get<std::string>());
    }
    return rows;
  };
  EXPECT_EQ(soe_rows(l.state), std::vector<std::string>{});
  ASSERT_OK(l.Recommend("2023", l.AddUnit("2023", l.SoeGroup("soe-b"), "enterprise")));
  EXPECT_EQ(soe_rows(l.state), std::vector<std::string>{"soe:soe-b"});
  ASSERT_OK(l.Register("expert9", "expert"));
  l.SoeGroup("soe-a");
  EXPECT_EQ(soe_rows(l.state), (std::vector<std::string>{"soe:soe-a", "soe:soe-b"}));
  ASSERT_OK(l.Append("actor.revoked", {{"actor", "soe-b"}, {"reason", "merged"}}, {"miit"}));
  ASSERT_TRUE(l.state.FindActor("soe-b") && !l.state.FindActor("soe-b")->active());
  EXPECT_EQ(soe_rows(l.state), (std::vector<std::string>{"soe:soe-a", "soe:soe-b"}));
  EXPECT_EQ(l.Quota("2023", "soe:soe-b")["places"], (Json{{"total", {{"limit", 1}, {"extra", 0}, {"used", 1}}}}));

  Result<State> loaded = StateFromJson(StateToJson(l.state));
  ASSERT_OK(loaded.status());
  EXPECT_EQ(loaded->soe_authorities, l.state.soe_authorities);
  EXPECT_EQ(QuotaView(*loaded, *loaded->FindCampaign("2023")), QuotaView(l.state, *l.state.FindCampaign("2023")));
}

TEST(QuotaTest, QuotaExceptionNamesAKnownAuthorityAndOneOfItsCategories) {
  Ledger l(fx::At("2021-11-01T08:00:00Z"));
  ASSERT_OK(l.Open("2021"));
  const std::string soe = l.SoeGroup("soe-a");
  struct Case {
    std::string authority, category, field;
  };
  for (const Case& c : std::vector<Case>{{"999999", "enterprise", "authority"},
                                         {"soe:nobody", "total", "authority"},
                                         {soe, "enterprise", "category"},
                                         {"440000", "total", "category"},
                                         {"440000", "review", "category"},  // 2021 reviews nothing
                                         {"440000", "hospital", "category"}}) {
    EXPECT_TRUE(IsSchema(l.Exception("2021", c.authority, c.category), c.field)) << c.authority << " " << c.category;
  }
  EXPECT_TRUE(IsSchema(l.Exception("2021", "440000", "enterprise", 0), "extra"));
  EXPECT_TRUE(IsRule(l.Exception("2022", "440000", "enterprise"), "unknown_campaign"));
  EXPECT_OK(l.Exception("2021", soe, "total"));
}

}  // namespace
}  // namespace pilotledger::projections
