// The development sample: founders' keys, then a realistic history appended through the real API
// (docs/sample.md). Deterministic for a given --seed, apart from keys and times.
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "client/cli/cli.h"
#include "ledger/crypto.h"
#include "projections/actors.h"
#include "projections/uscc.h"

namespace pilotledger::cli {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

struct Region {
  std::string code, name, kind;
};

class Sampler {
 public:
  Sampler(const Globals& g, std::string keys, std::string config, uint32_t seed)
      : g_(g), keys_(std::move(keys)), config_(std::move(config)), rng_(seed) {}

  int Run();

 private:
  // Appends one event signed by `signers`; stops the sample on any refusal.
  Status Append(const std::string& type, const Json& body, const std::vector<std::string>& signers) {
    SystemClock clock;
    PL_ASSIGN_OR_RETURN(SignedEvent e, MakeEvent("sample-" + std::to_string(++counter_), type, clock.Now(), body));
    for (const std::string& s : signers) client::AddSignature(e, ids_.at(s));
    Result<client::AppendReceipt> r = client_->Append(e);
    if (!r.ok()) return Status(r.status().code(), type + " " + body.dump().substr(0, 160) + ": " + r.status().message());
    ++appended_;
    last_seq_ = r->seq;
    return Status::Ok();
  }
  Status NewActor(const std::string& id, const std::string& role, const std::string& name, Json extra = Json::object()) {
    PL_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate());
    ids_.emplace(id, client::Identity{id, key});
    PL_RETURN_IF_ERROR(client::SaveIdentity(keys_ + "/" + id + ".pem", ids_.at(id)));
    Json d = {{"actor", id}, {"role", role}, {"name", name}, {"public_key", key.public_key().ToBase64()}};
    d.update(extra);
    // A provincial department is registered by the ministry of its line, any other actor by MIIT.
    const std::string line = projections::MinistryOfLine(extra.value("department", ""));
    return Append("actor.registered", d, {line.empty() ? "miit" : line});
  }
  std::string Pick(const std::vector<std::string>& v) { return v[rng_() % v.size()]; }
  std::string CreditCode(const std::string& prefix, const std::string& region) {
    std::string code = prefix + region;
    while (code.size() < 17) code.push_back(kAlphabet[rng_() % kAlphabet.size()]);
    return code + projections::UsccCheckCharacter(code);
  }
  // A county-level code inside the region's authority (not in a separately planned city).
  std::string CountyOf(const Region& r) {
    if (r.code == "660000") return "6590" + std::string(1, char('0' + rng_() % 4)) + "1";
    if (r.kind == "planned_city_or_xpcc") return r.code.substr(0, 4) + "0" + std::string(1, char('2' + rng_() % 6));
    return r.code.substr(0, 2) + "01" + std::string(1, char('0' + rng_() % 2)) + std::string(1, char('1' + rng_() % 8));
  }
  std::string Short(const Region& r) {
    std::string n = r.name;
    for (const char* suffix : {"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "生产建设兵团", "省", "市"}) {
      const std::string s = suffix;
      if (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0) return n.substr(0, n.size() - s.size());
    }
    return n;
  }
  Json NewUnit(const Region& r, const std::string& category, const std::string& authority) {
    const std::string county = CountyOf(r);
    Json u = {{"region", county}, {"authority", authority}, {"category", category}};
    if (category == "enterprise") {
      u["id"] = CreditCode("91", county);
      u["subtype"] = Pick({"product", "platform", "institution", "service"});
      u["name"] = Short(r) + Pick({"康护", "颐养", "慧康", "安养", "智护", "福寿", "乐龄", "银龄", "云医", "健联", "仁和", "长青"}) +
                  Pick({"智能科技", "健康科技", "信息技术", "医疗科技", "养老服务", "网络科技"}) + "有限公司";
    } else if (category == "street") {
      u["id"] = CreditCode("11", county);
      u["name"] = Short(r) + Pick({"东湖", "新华", "人民路", "长安", "滨江", "南湖", "解放", "光明", "朝阳", "和平"}) + "街道办事处";
    } else if (category == "park") {
      u["id"] = CreditCode("12", county);
      u["name"] = Short(r) + Pick({"智慧健康", "康养科技", "银发经济", "健康产业"}) + "产业园管理委员会";
    } else {
      u["id"] = CreditCode("11", county);
      u["name"] = Short(r) + Pick({"高新", "经开", "城", "新"}) + "区人民政府";
    }
    return u;
  }
  // Metrics that meet the 2021 thresholds (docs/rules.md), or fail one of them if `fail`.
  static Json Metrics(const Json& unit, bool fail) {
    const std::string c = unit["category"], s = unit.value("subtype", "");
    Json m;
    if (c == "enterprise") {
      m = {{"years_registered", 6}, {"violations_3y", false}, {"dishonest_debtor", false}, {"deployed_projects", 5}, {"business_model", true}};
      if (s == "product") m.update({{"revenue", 32000000}, {"rnd_ratio_bp", fail ? 300 : 650}, {"ip_items", 24}});
      if (s == "platform") m.update({{"revenue", 15000000}, {"market_revenue_bp", 2500}, {"monthly_orders", fail ? 80000 : 150000}, {"users", 800000}, {"product_kinds", 16}});
      if (s == "institution") m.update({{"revenue", 12000000}, {"beds", fail ? 220 : 480}, {"product_kinds", 9}, {"information_system", true}});
      if (s == "service") m.update({{"revenue", 9500000}, {"users", fail ? 8000 : 26000}, {"service_platform", true}, {"service_standards", true}});
    } else if (c == "park") {
      m = {{"government_key_project", true}, {"field_enterprises", 35}, {"new_field_enterprises", 5}, {"field_revenue_bp", fail ? 4000 : 6200},
           {"talent_mechanism", true}, {"demo_enterprises", 2}, {"violations_3y", false}, {"dishonest_debtor", false}};
    } else if (c == "street") {
      m = {{"investment", 16000000}, {"it_investment", fail ? 1500000 : 3200000}, {"product_kinds", 8}, {"service_kinds", 9},
           {"people_served", 24000}, {"online_offline", true}, {"contractor_evaluation", true}};
    } else {
      m = {{"it_investment", fail ? 6000000 : 12000000}, {"development_plan", true}, {"supporting_policies", true}, {"unified_platform", true},
           {"experience_centres", 2}, {"demo_streets", 4}, {"medical_elderly_institutions", 3}, {"service_standards", true}};
    }
    return m;
  }
  Json Scenarios(const std::string& category) {
    std::vector<std::string> all = {"family_health", "primary_care_health", "elderly_health_promotion", "rehabilitation_aids",
                                    "internet_medical", "family_care_beds", "community_day_care", "home_visit_services",
                                    "elderly_canteen", "smart_nursing_home", "care_supervision", "medical_elderly_integration"};
    const size_t n = category == "base" ? 9 : category == "street" ? 5 : 3;
    std::vector<std::string> out = {"medical_elderly_integration"};
    for (const std::string& s : all) {
      if (out.size() < n && s != "medical_elderly_integration") out.push_back(s);
    }
    return out;
  }
  std::vector<std::string> Departments(const Region& r) {
    return {"p" + r.code + "-miit", "p" + r.code + "-civil", "p" + r.code + "-health"};
  }
  // A document as events cite it: the name and the hash and size of (stand-in) content.
  static Json Doc(const std::string& name, const std::string& content) {
    return {{"name", name}, {"sha256", HashHex(Sha256(content))}, {"bytes", int64_t(content.size())}};
  }
  // A recommendation body with what the 2023 rules ask of it: the authority's checks (现场调研与材料审核相结合)
  // and its opinion with the summary table (推荐意见, 汇总表).
  static Json Recommendation(const std::string& campaign, const std::string& unit, const std::string& authority) {
    const std::string day = FormatRfc3339Seconds(SystemClock().Now()).substr(0, 10);
    return {{"campaign", campaign},
            {"unit_id", unit},
            {"checks", {{{"method", "material_review"}, {"date", day}, {"note", "逐一审查申报材料（示例）"}},
                        {{"method", "site_visit"}, {"date", day}, {"note", "现场调研（示例）"}}}},
            {"documents", {Doc("推荐意见", "推荐意见 " + authority + " " + unit), Doc("汇总表", "汇总表（附件4） " + authority)}}};
  }
  static Json Findings() {
    return {{"industry_development", {{"progress", true}, {"note", "智慧健康养老业务收入较获评时明显增长（示例）"}}},
            {"service_capability", {{"progress", true}, {"note", "服务人数和服务种类持续增加（示例）"}}},
            {"industry_influence", {{"progress", true}, {"note", "牵头制定地方标准，经验在省内推广（示例）"}}}};
  }
  static std::string In(int seconds) {
    SystemClock clock;
    return FormatRfc3339Seconds(Timestamp{clock.Now().ms + seconds * 1000LL});
  }

  Status Actors();
  Status History();
  Status Selection();
  Status Review();

  const Globals& g_;
  std::string keys_, config_;
  std::mt19937 rng_;
  std::unique_ptr<client::LedgerClient> client_;
  std::map<std::string, client::Identity> ids_;
  std::vector<Region> regions_;
  std::map<std::string, std::vector<Json>> titled_;  // authority -> historical units' descriptors
  int counter_ = 0, appended_ = 0;
  uint64_t last_seq_ = 0;
  const std::vector<std::string> ministries_ = {"miit", "mca", "nhc"};
  const std::string campaign_ = "sample-2026";
};

Status Sampler::Actors() {
  for (const Region& r : regions_) {
    for (const auto& [dep, title] : std::vector<std::pair<std::string, std::string>>{
             {"miit", "工业和信息化主管部门"}, {"civil", "民政部门"}, {"health", "卫生健康部门"}}) {
      PL_RETURN_IF_ERROR(NewActor("p" + r.code + "-" + dep, "provincial", r.name + title, {{"region", r.code}, {"department", dep}}));
    }
  }
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"soe-cec", "中国电子信息产业集团有限公司"}, {"soe-chinatelecom", "中国电信集团有限公司"}, {"soe-sinopharm", "中国医药集团有限公司"}}) {
    PL_RETURN_IF_ERROR(NewActor(id, "soe_group", name));
  }
  const std::vector<std::string> experts = {"专家一", "专家二", "专家三", "专家四", "专家五"};
  for (size_t i = 0; i < experts.size(); ++i) PL_RETURN_IF_ERROR(NewActor("expert-" + std::to_string(i + 1), "expert", experts[i]));
  return NewActor("auditor", "auditor", "审计组（示例）");
}

Status Sampler::History() {
  for (const char* year : {"2017", "2018", "2019"}) {
    PL_ASSIGN_OR_RETURN(Json rules, ReadJsonInput(config_ + "/campaigns/" + year + ".json"));
    PL_RETURN_IF_ERROR(Append("campaign.opened", {{"campaign", year}, {"rules", rules}}, ministries_));
    for (const Region& r : regions_) {
      Json units = Json::array();
      for (int n = 1 + int(rng_() % 3); n > 0; --n) {
        Json u = NewUnit(r, Pick({"enterprise", "enterprise", "street", "street", "base"}), r.code);
        titled_[r.code].push_back(u);
        units.push_back(u);
      }
      PL_RETURN_IF_ERROR(Append("title.granted", {{"campaign", year}, {"units", units}}, ministries_));
    }
  }
  return Status::Ok();
}

Status Sampler::Selection() {
  PL_ASSIGN_OR_RETURN(Json rules, ReadJsonInput(config_ + "/campaigns/2023.json"));
  rules["campaign"] = campaign_;
  rules["title"] = "2026年智慧健康养老应用试点示范（开发示例，按2023年规则）";
  rules["deadline"] = In(180 * 24 * 3600);
  // The campaign cites the rule file it was made from (pilotctl check-document finds it).
  PL_ASSIGN_OR_RETURN(std::string rule_file, ReadInput(config_ + "/campaigns/2023.json"));
  PL_RETURN_IF_ERROR(Append("campaign.opened",
                            {{"campaign", campaign_}, {"rules", rules}, {"documents", {Doc("2023.json", rule_file)}}}, ministries_));
  std::vector<std::string> recommended;
  for (size_t i = 0; i < regions_.size(); i += 3) {
    const Region& r = regions_[i];
    for (const char* category : {"enterprise", "street", "park", "base"}) {
      const Json unit = NewUnit(r, category, r.code);
      const bool fail = rng_() % 6 == 0;
      PL_RETURN_IF_ERROR(Append("submission.filed",
                                {{"campaign", campaign_}, {"unit", unit}, {"metrics", Metrics(unit, fail)}, {"scenarios", Scenarios(category)},
                                 {"documents", {Doc("申报材料", "申报材料 " + unit["id"].get<std::string>())}}},
                                {Departments(r)[0]}));
      if (fail) continue;  // not eligible: stays submitted, its failed criterion shown in its status
      PL_RETURN_IF_ERROR(Append("recommendation.issued", Recommendation(campaign_, unit["id"], r.code), Departments(r)));
      recommended.push_back(unit["id"]);
    }
  }
  Json soe_unit = NewUnit(regions_[0], "enterprise", "soe:soe-cec");
  soe_unit["name"] = "中电智慧养老科技有限公司";
  PL_RETURN_IF_ERROR(Append("submission.filed",
                            {{"campaign", campaign_}, {"unit", soe_unit}, {"metrics", Metrics(soe_unit, false)}, {"scenarios", Scenarios("enterprise")},
                             {"documents", {Doc("申报材料", "申报材料 " + soe_unit["id"].get<std::string>())}}},
                            {"soe-cec"}));
  PL_RETURN_IF_ERROR(Append("recommendation.issued", Recommendation(campaign_, soe_unit["id"], "soe:soe-cec"), {"soe-cec"}));
  recommended.push_back(soe_unit["id"]);
  for (const std::string& u : recommended) {
    for (int e = 1; e <= 3; ++e) {
      PL_RETURN_IF_ERROR(Append("score.recorded", {{"campaign", campaign_}, {"unit_id", u}, {"score", 70 + int(rng_() % 28)}},
                                {"expert-" + std::to_string(e)}));
    }
  }
  PL_RETURN_IF_ERROR(Append("spotcheck.recorded", {{"campaign", campaign_}, {"unit_id", recommended[0]}, {"passed", true}}, {"expert-4"}));
  PL_RETURN_IF_ERROR(Append("spotcheck.recorded", {{"campaign", campaign_}, {"unit_id", recommended[2]}, {"passed", false}}, {"miit"}));
  PL_RETURN_IF_ERROR(Append("publication.issued", {{"campaign", campaign_}, {"units", recommended}, {"objection_deadline", In(3)}}, ministries_));
  PL_RETURN_IF_ERROR(Append("objection.filed", {{"campaign", campaign_}, {"unit_id", recommended[1]}, {"summary", "申报材料中的服务人数与实际不符（示例异议）"}},
                            {"mca"}));
  PL_RETURN_IF_ERROR(Append("objection.resolved", {{"campaign", campaign_}, {"objection", last_seq_}, {"upheld", true}, {"note", "经核实异议成立"}},
                            {"mca"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  Json grant = Json::array();
  for (size_t i = 0; i < recommended.size(); ++i) {
    if (i != 1 && i != 2) grant.push_back(recommended[i]);
  }
  PL_RETURN_IF_ERROR(Append("title.granted", {{"campaign", campaign_}, {"units", grant}}, ministries_));
  // Every recommended unit ends in an outcome: the two not selected are rejected with their reasons.
  PL_RETURN_IF_ERROR(Append("application.rejected", {{"campaign", campaign_}, {"unit_id", recommended[1]}, {"reason", "objection_upheld"}}, ministries_));
  return Append("application.rejected", {{"campaign", campaign_}, {"unit_id", recommended[2]}, {"reason", "spot_check_failed"}}, ministries_);
}

Status Sampler::Review() {
  // The review list (附件2): every unit titled in 2017-2019, under its authority.
  Json scope = Json::object();
  for (const Region& r : regions_) {
    for (const Json& u : titled_[r.code]) scope[r.code].push_back(u["id"]);
  }
  PL_RETURN_IF_ERROR(Append("review.scope", {{"campaign", campaign_}, {"units", scope}}, ministries_));
  // One province asks for a material of its own (可结合工作实际提出复核材料要求).
  const Region& strict = regions_[0];
  const std::string extra = "近三年发展情况报告";
  PL_RETURN_IF_ERROR(Append("review.requirements",
                            {{"campaign", campaign_}, {"authority", strict.code}, {"required_documents", {extra}},
                             {"note", "复核单位另附近三年发展情况报告（示例）"}},
                            Departments(strict)));
  std::vector<std::string> recommended;
  for (const Region& r : regions_) {
    std::vector<std::string> requested;
    for (const Json& unit : titled_[r.code]) {
      if (rng_() % 4 == 0) continue;  // does not apply: due for revocation once the review closes
      const std::string u = unit["id"];
      Json body = {{"campaign", campaign_}, {"unit_id", u}, {"metrics", Metrics(unit, false)}, {"scenarios", Scenarios(unit["category"])},
                   {"documents", {Doc("复核申请表", "复核申请表（附件3） " + u)}}};
      if (r.code == strict.code) body["documents"].push_back(Doc(extra, "发展情况报告 " + u));
      PL_RETURN_IF_ERROR(Append("review.requested", body, {Departments(r)[0]}));
      requested.push_back(u);
    }
    // Up to the 70% cap of the listed units; the rest are not recommended (a failure once the review closes).
    const size_t cap = std::min(requested.size(), titled_[r.code].size() * 7000 / 10000);
    for (size_t i = 0; i < cap; ++i) {
      Json body = Recommendation(campaign_, requested[i], r.code);
      body["findings"] = Findings();
      PL_RETURN_IF_ERROR(Append("review.recommended", body, Departments(r)));
      recommended.push_back(requested[i]);
    }
  }
  // Expert scores (scoring.scores_required = 3) and field spot checks: a few fail, and those units fail the review.
  for (const std::string& u : recommended) {
    for (int e = 1; e <= 3; ++e) {
      PL_RETURN_IF_ERROR(Append("score.recorded", {{"campaign", campaign_}, {"unit_id", u}, {"score", 70 + int(rng_() % 28)}},
                                {"expert-" + std::to_string(e)}));
    }
  }
  std::vector<std::string> failed, published;
  for (size_t i = 0; i < recommended.size(); ++i) {
    const bool fails = i % 9 == 4;
    PL_RETURN_IF_ERROR(Append("spotcheck.recorded", {{"campaign", campaign_}, {"unit_id", recommended[i]}, {"passed", !fails}}, {"expert-5"}));
    (fails ? failed : published).push_back(recommended[i]);
  }
  PL_RETURN_IF_ERROR(Append("publication.issued", {{"campaign", campaign_}, {"units", published}, {"objection_deadline", In(3)}}, ministries_));
  // One objection to a published unit is upheld.
  const std::string objected = published[1];
  PL_RETURN_IF_ERROR(Append("objection.filed", {{"campaign", campaign_}, {"unit_id", objected}, {"summary", "复核材料与实际运营情况不符（示例异议）"}},
                            {"mca"}));
  PL_RETURN_IF_ERROR(Append("objection.resolved", {{"campaign", campaign_}, {"objection", last_seq_}, {"upheld", true}, {"note", "经核实异议成立"}},
                            {"mca"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  published.erase(published.begin() + 1);
  PL_RETURN_IF_ERROR(Append("review.passed", {{"campaign", campaign_}, {"units", published}}, ministries_));
  for (const std::string& u : failed) {
    PL_RETURN_IF_ERROR(Append("review.failed", {{"campaign", campaign_}, {"unit_id", u}, {"reason", "spot_check_failed"}}, ministries_));
    PL_RETURN_IF_ERROR(Append("title.revoked", {{"campaign", campaign_}, {"unit_id", u}, {"reason", "review_failed"}}, ministries_));
  }
  PL_RETURN_IF_ERROR(Append("review.failed", {{"campaign", campaign_}, {"unit_id", objected}, {"reason", "objection_upheld"}}, ministries_));
  return Append("title.revoked", {{"campaign", campaign_}, {"unit_id", objected}, {"reason", "objection_upheld"}}, ministries_);
}

int Sampler::Run() {
  for (const std::string& m : ministries_) {
    Result<client::Identity> id = client::LoadIdentity(keys_ + "/" + m + ".pem");
    if (!id.ok()) return Fail(id.status());
    ids_.emplace(m, *id);
  }
  Result<Json> regions = ReadJsonInput(config_ + "/sample/regions.json");
  if (!regions.ok()) return Fail(regions.status());
  for (const Json& r : *regions) regions_.push_back({r["code"], r["name"], r["kind"]});
  Result<std::unique_ptr<client::LedgerClient>> c = Connect(g_);
  if (!c.ok()) return Fail(c.status());
  client_ = std::move(*c);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [what, step] : std::vector<std::pair<std::string, std::function<Status()>>>{
           {"actors", [&] { return Actors(); }},
           {"historical titles 2017-2019", [&] { return History(); }},
           {"campaign " + campaign_, [&] { return Selection(); }},
           {"review of the 2017-2019 titles", [&] { return Review(); }}}) {
    std::cerr << "sample: " << what << "...\n";
    if (Status s = step(); !s.ok()) return Fail(s);
  }
  std::cerr << "sample: appended " << appended_ << " entries in "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count() << " s\n";
  return kOk;
}

int SampleFounders(const Globals&, const std::vector<std::string>& args) {
  po::options_description o("pilotctl sample-founders: development keys of the three ministries; prints the authorities file");
  std::string keys;
  o.add_options()("keys", po::value(&keys)->required(), "directory for the key files");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl sample-founders --keys DIR")) return kOk;
  std::error_code ec;
  std::filesystem::create_directories(keys, ec);
  if (ec) return Fail("cannot create " + keys + ": " + ec.message());
  Json authorities = Json::array();
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"miit", "工业和信息化部"}, {"mca", "民政部"}, {"nhc", "国家卫生健康委"}}) {
    Result<PrivateKey> key = PrivateKey::Generate();
    if (!key.ok()) return Fail(key.status());
    if (Status s = client::SaveIdentity(keys + "/" + id + ".pem", {id, *key}); !s.ok()) return Fail(s);
    authorities.push_back({{"actor", id}, {"role", "ministry"}, {"department", id}, {"name", name}, {"public_key", key->public_key().ToBase64()}});
  }
  PrintJson(authorities);
  return kOk;
}

int Sample(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl sample: append the development sample history (see docs/sample.md)");
  std::string keys, config = "config";
  uint32_t seed = 2023;
  o.add_options()("keys", po::value(&keys)->required(), "directory with the founders' keys; new actors' keys are written here")
      ("config", po::value(&config), "the config directory (campaign rules and sample regions)")("seed", po::value(&seed), "random seed");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl sample --keys DIR [--config DIR]")) return kOk;
  return Sampler(g, keys, config, seed).Run();
}

}  // namespace

void AddSampleCommands(std::vector<Command>& commands) {
  commands.push_back({"sample-founders", "development keys of the three ministries (prints the authorities)", SampleFounders});
  commands.push_back({"sample", "append the development sample history", Sample});
}

}  // namespace pilotledger::cli
