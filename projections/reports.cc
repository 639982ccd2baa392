#include "projections/reports.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "projections/rules.h"
#include "projections/views.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {
namespace {

// The forms' Chinese for the API's codes; lang=en keeps the codes.
const std::map<std::string, std::string>& ZhLabels() {
  static const std::map<std::string, std::string> labels = {
      {"enterprise", "企业"}, {"park", "园区"}, {"street", "街道（乡镇）"}, {"base", "基地"},
      {"product", "产品企业"}, {"platform", "平台运营企业"}, {"institution", "机构运营企业"}, {"service", "服务企业"},
      {"application", "申报推荐"}, {"review", "复核推荐"}, {"title", "授予称号"}, {"review_passed", "复核通过"},
      {"submitted", "已申报"}, {"recommended", "已推荐"}, {"published", "公示中"}, {"rejected", "未通过"},
      {"granted", "已授予"}, {"listed", "待申请复核"}, {"requested", "已申请复核"}, {"passed", "复核通过"}, {"not_requested", "未申请复核"},
      {"active", "有效"}, {"revoked", "已撤销"}, {"eligible", "符合"}, {"ineligible", "不符合"},
      {"review_failed", "复核未通过"}, {"review_not_requested", "未申请复核"}, {"assessment_failed", "评估未通过"},
      {"objection_upheld", "异议成立"}, {"other", "其他"}, {"province", "省、自治区、直辖市"},
      {"failed", "复核未通过"}, {"score_below_line", "评审得分未达线"}, {"spot_check_failed", "抽查未通过"},
      {"not_eligible", "不符合申报条件"}, {"withdrawn", "主动撤回"},
      {"planned_city_or_xpcc", "计划单列市、新疆生产建设兵团"}, {"soe_group", "中央企业"}, {"total", "合计"}};
  return labels;
}

struct Builder {
  const State& s;
  const Campaign& c;
  const std::string& authority;
  const std::string& lang;
  const ReportAccess& access;
  Report r;

  Json Label(const std::string& code) const {
    if (code.empty()) return nullptr;
    if (lang == "en") return code;
    const auto it = ZhLabels().find(code);
    return it == ZhLabels().end() ? code : it->second;
  }
  void Col(std::string key, std::string zh, CellType type, int width) { r.columns.push_back({std::move(key), std::move(zh), type, width}); }
  void UnitCols() {
    Col("name", "单位名称", CellType::kText, 36);
    Col("credit_code", "统一社会信用代码", CellType::kText, 22);
    Col("category", "申报类别", CellType::kText, 12);
    Col("subtype", "企业类型", CellType::kText, 14);
    Col("region", "所在地区", CellType::kText, 10);
    Col("authority", "推荐单位", CellType::kText, 16);
  }
  std::vector<Json> UnitCells(const Unit& u) const {
    return {u.d.name, u.d.id, Label(u.d.category), Label(u.d.subtype), u.d.region, u.d.authority};
  }
  bool Selected(const Unit& u) const { return (authority.empty() || u.d.authority == authority) && access.visible(u); }
  void Add(std::vector<Json> cells, std::vector<uint64_t> seqs) {
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    cells.insert(cells.begin(), Json(int64_t(r.rows.size() + 1)));  // 序号
    r.rows.push_back({std::move(cells), std::move(seqs)});
  }
};

// The order of the forms: by authority, then category as DOMAIN.md lists them, then credit code.
std::vector<const Unit*> Ordered(const Builder& b, const std::function<bool(const Unit&)>& keep) {
  std::vector<const Unit*> units;
  for (const auto& [id, u] : b.s.units) {
    if (b.Selected(u) && keep(u)) units.push_back(&u);
  }
  const auto rank = [](const std::string& category) {
    return std::find(std::begin(kCategories), std::end(kCategories), category) - std::begin(kCategories);
  };
  std::stable_sort(units.begin(), units.end(), [&](const Unit* x, const Unit* y) {
    return std::make_tuple(x->d.authority, rank(x->d.category), x->d.id) < std::make_tuple(y->d.authority, rank(y->d.category), y->d.id);
  });
  return units;
}

// "EPL-3: monthly_orders 80000 < 100000; …", or null if every criterion is met.
Json Failed(const Eligibility& e) {
  std::string failed;
  for (const CriterionFailure& f : e.failed) failed += (failed.empty() ? "" : "; ") + f.id + ": " + f.message;
  return failed.empty() ? Json(nullptr) : Json(failed);
}

Json TextOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

const Title* ReviewedTitle(const Unit& u, const Campaign& c, std::string* batch) {
  for (const std::string& b : c.rules.review->batches) {
    if (const auto t = u.titles.find(b); t != u.titles.end()) {
      *batch = b;
      return &t->second;
    }
  }
  return nullptr;
}

// 附件2: the units the ministries put on the review list (review.scope), with their titles and how
// far their review has come.
void ReviewList(Builder& b) {
  b.r.title = b.lang == "en" ? "Units under review (" + b.c.id + ")" : "2017—2019前三批智慧健康养老应用试点示范名单（" + b.c.id + "复核）";
  b.Col("batch", "原批次", CellType::kText, 8);
  b.UnitCols();
  b.Col("title_status", "称号状态", CellType::kText, 10);
  b.Col("revocation_reason", "撤销原因", CellType::kText, 14);
  b.Col("review_state", "复核状态", CellType::kText, 12);
  b.Col("failure_reason", "复核未通过原因", CellType::kText, 14);
  const bool closed = b.c.rules.deadline && b.s.last_received > *b.c.rules.deadline;
  const auto listed = [&](const Unit& u) { return b.c.Listed(u.d.authority, u.d.id).has_value(); };
  for (const Unit* u : Ordered(b, listed)) {
    std::string batch;
    const Title* t = ReviewedTitle(*u, b.c, &batch);
    std::vector<uint64_t> seqs = {*b.c.Listed(u->d.authority, u->d.id)};
    if (t) seqs.push_back(t->granted_seq);
    if (t && t->revoked_seq) seqs.push_back(*t->revoked_seq);
    std::vector<Json> cells = {batch.empty() ? Json(nullptr) : Json(batch)};
    for (Json& cell : b.UnitCells(*u)) cells.push_back(std::move(cell));
    cells.push_back(b.Label(t && t->active() ? "active" : "revoked"));
    cells.push_back(t && t->revoked_seq ? b.Label(t->reason) : Json(nullptr));  // title.revoked is public
    const bool full = b.access.full(*u);
    std::string state = full ? (closed ? "not_requested" : "listed") : "";
    std::string failure;  // review.failed is not public
    if (const auto rv = u->reviews.find(b.c.id); rv != u->reviews.end()) {
      const Review& r = rv->second;
      if (full || r.published_seq || r.passed_seq) state = ReviewState(r, full);
      if (full && r.refusal) failure = r.refusal->reason;
      for (const auto& seq : {full ? std::optional<uint64_t>(r.requested_seq) : std::nullopt, full ? r.recommended_seq : std::nullopt,
                              r.published_seq, r.passed_seq, full && r.refusal ? std::optional<uint64_t>(r.refusal->seq) : std::nullopt}) {
        if (seq) seqs.push_back(*seq);
      }
    }
    cells.push_back(b.Label(state));
    cells.push_back(b.Label(failure));
    b.Add(std::move(cells), std::move(seqs));
  }
}

// 附件4: the authority's recommendations and review recommendations, for readers who see them.
void Summary(Builder& b) {
  b.r.title = b.lang == "en" ? "Recommendations and review recommendations (" + b.c.id + ")"
                             : "智慧健康养老应用试点示范推荐单位和复核情况汇总表（" + b.c.id + "）";
  b.Col("kind", "推荐类型", CellType::kText, 12);
  b.Col("batch", "原批次", CellType::kText, 8);
  b.UnitCols();
  b.Col("eligibility", "是否符合申报条件", CellType::kText, 12);
  b.Col("failed_criteria", "未满足的条件", CellType::kText, 40);
  b.Col("status", "状态", CellType::kText, 10);
  b.Col("reason", "原因", CellType::kText, 14);
  b.Col("note", "说明", CellType::kText, 30);
  const auto recommended = [&](const Unit& u) {
    const auto a = u.applications.find(b.c.id);
    const auto r = u.reviews.find(b.c.id);
    return b.access.full(u) && ((a != u.applications.end() && a->second.recommended_seq) || (r != u.reviews.end() && r->second.recommended_seq));
  };
  for (const Unit* u : Ordered(b, recommended)) {
    if (const auto it = u->applications.find(b.c.id); it != u->applications.end() && it->second.recommended_seq) {
      const Application& a = it->second;
      const Eligibility e = Evaluate(b.c.rules, a.category, a.subtype, a.metrics, a.scenarios);
      std::vector<Json> cells = {b.Label("application"), nullptr};
      for (Json& cell : b.UnitCells(*u)) cells.push_back(std::move(cell));
      cells.insert(cells.end(), {b.Label(e.eligible ? "eligible" : "ineligible"), Failed(e), b.Label(ApplicationState(a, true))});
      // application.rejected: why the unit was not selected.
      cells.insert(cells.end(), {a.refusal ? b.Label(a.refusal->reason) : Json(nullptr), a.refusal ? TextOrNull(a.refusal->note) : Json(nullptr)});
      std::vector<uint64_t> seqs = {a.submitted_seq, *a.recommended_seq, b.c.rules_seq};
      if (a.granted_seq) seqs.push_back(*a.granted_seq);
      if (a.refusal) seqs.push_back(a.refusal->seq);
      b.Add(std::move(cells), std::move(seqs));
    }
    if (const auto it = u->reviews.find(b.c.id); it != u->reviews.end() && it->second.recommended_seq) {
      const Review& r = it->second;
      std::string batch;
      const Title* t = ReviewedTitle(*u, b.c, &batch);
      // The review form (复核申请表) judged by the campaign's rules, as the unit view shows it.
      const Eligibility e = Evaluate(b.c.rules, u->d.category, u->d.subtype, r.metrics, r.scenarios);
      std::vector<Json> cells = {b.Label("review"), batch.empty() ? Json(nullptr) : Json(batch)};
      for (Json& cell : b.UnitCells(*u)) cells.push_back(std::move(cell));
      // The outcome: review.failed with its reason, or, with neither a pass nor a failure, the
      // reviewed title revoked (as GET …/outcomes shows it) with the revocation's reason.
      const bool revoked = !r.passed_seq && !r.refusal && t && t->revoked_seq;
      cells.insert(cells.end(), {b.Label(e.eligible ? "eligible" : "ineligible"), Failed(e), b.Label(revoked ? "revoked" : ReviewState(r, true))});
      if (r.refusal) {
        cells.insert(cells.end(), {b.Label(r.refusal->reason), TextOrNull(r.refusal->note)});
      } else if (revoked) {
        cells.insert(cells.end(), {b.Label(t->reason), TextOrNull(t->note)});
      } else {
        cells.insert(cells.end(), {nullptr, nullptr});
      }
      std::vector<uint64_t> seqs = {r.requested_seq, *r.recommended_seq, b.c.rules_seq};
      if (t) seqs.push_back(t->granted_seq);
      if (t && t->revoked_seq) seqs.push_back(*t->revoked_seq);
      if (r.passed_seq) seqs.push_back(*r.passed_seq);
      if (r.refusal) seqs.push_back(r.refusal->seq);
      b.Add(std::move(cells), std::move(seqs));
    }
  }
}

// 公示名单: the units of the campaign's publications, with their objection deadlines. Public.
void Publicity(Builder& b) {
  b.r.title = b.lang == "en" ? "Units published for objections (" + b.c.id + ")" : "智慧健康养老应用试点示范拟认定及复核拟通过名单公示（" + b.c.id + "）";
  b.Col("kind", "类型", CellType::kText, 12);
  b.UnitCols();
  b.Col("objection_deadline", "公示截止时间", CellType::kDate, 20);
  const auto published = [&](const Unit& u) {
    const auto a = u.applications.find(b.c.id);
    const auto r = u.reviews.find(b.c.id);
    return (a != u.applications.end() && a->second.published_seq) || (r != u.reviews.end() && r->second.published_seq);
  };
  for (const Unit* u : Ordered(b, published)) {
    const auto a = u->applications.find(b.c.id);
    const auto r = u->reviews.find(b.c.id);
    const bool is_app = a != u->applications.end() && a->second.published_seq;
    const Track& t = is_app ? static_cast<const Track&>(a->second) : static_cast<const Track&>(r->second);
    std::vector<Json> cells = {b.Label(is_app ? "application" : "review")};
    for (Json& cell : b.UnitCells(*u)) cells.push_back(std::move(cell));
    cells.push_back(t.objection_deadline ? Json(FormatRfc3339Millis(*t.objection_deadline)) : Json(nullptr));
    b.Add(std::move(cells), {*t.published_seq});
  }
}

// The titles granted in the campaign (or, in a review campaign, the reviews passed). Public.
void Granted(Builder& b) {
  b.r.title = b.lang == "en" ? "Titles granted (" + b.c.id + ")" : "智慧健康养老应用试点示范名单（" + b.c.id + "）";
  b.Col("kind", "类型", CellType::kText, 10);
  b.UnitCols();
  b.Col("title_status", "称号状态", CellType::kText, 10);
  b.Col("revocation_reason", "撤销原因", CellType::kText, 14);
  const auto granted = [&](const Unit& u) {
    const auto r = u.reviews.find(b.c.id);
    return u.titles.count(b.c.id) || (r != u.reviews.end() && r->second.passed_seq);
  };
  for (const Unit* u : Ordered(b, granted)) {
    if (const auto t = u->titles.find(b.c.id); t != u->titles.end()) {
      std::vector<Json> cells = {b.Label("title")};
      for (Json& cell : b.UnitCells(*u)) cells.push_back(std::move(cell));
      cells.push_back(b.Label(t->second.active() ? "active" : "revoked"));
      cells.push_back(t->second.revoked_seq ? b.Label(t->second.reason) : Json(nullptr));
      std::vector<uint64_t> seqs = {t->second.granted_seq};
      if (t->second.revoked_seq) seqs.push_back(*t->second.revoked_seq);
      b.Add(std::move(cells), std::move(seqs));
    }
    if (const auto r = u->reviews.find(b.c.id); r != u->reviews.end() && r->second.passed_seq) {
      std::string batch;
      const Title* t = b.c.rules.review ? ReviewedTitle(*u, b.c, &batch) : nullptr;
      std::vector<Json> cells = {b.Label("review_passed")};
      for (Json& cell : b.UnitCells(*u)) cells.push_back(std::move(cell));
      cells.push_back(b.Label(!t || t->active() ? "active" : "revoked"));
      cells.push_back(t && t->revoked_seq ? b.Label(t->reason) : Json(nullptr));
      std::vector<uint64_t> seqs = {*r->second.passed_seq};
      if (t && t->revoked_seq) seqs.push_back(*t->revoked_seq);
      b.Add(std::move(cells), std::move(seqs));
    }
  }
}

// The titles revoked by decisions of the campaign, with the granting batch and the reason. Public.
void Revoked(Builder& b) {
  b.r.title = b.lang == "en" ? "Titles revoked (" + b.c.id + ")" : "撤销智慧健康养老应用试点示范称号名单（" + b.c.id + "）";
  b.UnitCols();
  b.Col("batch", "原批次", CellType::kText, 8);
  b.Col("reason", "撤销原因", CellType::kText, 14);
  b.Col("note", "说明", CellType::kText, 30);
  const auto revoked = [&](const Unit& u) {
    for (const auto& [campaign, t] : u.titles) {
      if (t.revoked_seq && t.revoked_in == b.c.id) return true;
    }
    return false;
  };
  for (const Unit* u : Ordered(b, revoked)) {
    for (const auto& [campaign, t] : u->titles) {
      if (!t.revoked_seq || t.revoked_in != b.c.id) continue;
      std::vector<Json> cells = b.UnitCells(*u);
      cells.insert(cells.end(), {campaign, b.Label(t.reason), t.note.empty() ? Json(nullptr) : Json(t.note)});
      b.Add(std::move(cells), {t.granted_seq, *t.revoked_seq});
    }
  }
}

// The quota usage of QuotaView, one row per authority and category (and the review cap).
void Quotas(Builder& b) {
  b.r.title = b.lang == "en" ? "Quota usage (" + b.c.id + ")" : "推荐名额使用情况（" + b.c.id + "）";
  b.Col("authority", "推荐单位", CellType::kText, 16);
  b.Col("kind", "推荐单位类型", CellType::kText, 16);
  b.Col("category", "申报类别", CellType::kText, 12);
  b.Col("base", "复核基数", CellType::kInteger, 10);
  b.Col("limit", "名额", CellType::kInteger, 8);
  b.Col("extra", "追加名额", CellType::kInteger, 10);
  b.Col("used", "已推荐", CellType::kInteger, 8);
  const Json view = QuotaView(b.s, b.c);
  for (const Json& a : view["authorities"]) {
    const std::string id = a["authority"];
    if (!b.authority.empty() && id != b.authority) continue;
    const auto exception_seqs = [&](const std::string& category) {
      std::vector<uint64_t> seqs;
      for (const Json& e : a["exceptions"]) {
        if (e["category"] == category) seqs.push_back(e["seq"]);
      }
      return seqs;
    };
    for (const auto& [category, p] : a["places"].items()) {
      b.Add({id, b.Label(a["kind"].get<std::string>()), b.Label(category), nullptr, p["limit"], p["extra"], p["used"]}, exception_seqs(category));
    }
    if (a.contains("review")) {
      const Json& rv = a["review"];
      b.Add({id, b.Label(a["kind"].get<std::string>()), b.Label("review"), rv["base"], rv["cap"], rv["extra"], rv["recommended"]}, exception_seqs("review"));
    }
  }
}

}  // namespace

Result<Report> BuildReport(const State& state, const std::string& name, const std::string& campaign, const std::string& authority,
                           const std::string& lang, const ReportAccess& access) {
  const Campaign* c = state.FindCampaign(campaign);
  if (!c) return Status(Code::kNotFound, "no campaign " + campaign);
  Builder b{state, *c, authority, lang, access, {}};
  b.r.name = name;
  b.r.campaign = campaign;
  b.r.authority = authority;
  b.r.lang = lang;
  b.Col("no", "序号", CellType::kInteger, 6);
  if (name == "review-list") {
    if (!c->rules.review) return Status(Code::kInvalidArgument, "campaign " + campaign + " reviews no titles: it has no review list");
    ReviewList(b);
  } else if (name == "summary") {
    Summary(b);
  } else if (name == "publicity") {
    Publicity(b);
  } else if (name == "granted") {
    Granted(b);
  } else if (name == "revoked") {
    Revoked(b);
  } else if (name == "quotas") {
    if (!access.quotas) return Status(Code::kForbidden, "quota usage is served to ministry, provincial, SOE group and auditor actors");
    Quotas(b);
  } else {
    return Status(Code::kNotFound, "no report " + name + " (reports: " + ListOf(kReportNames) + ")");
  }
  return std::move(b.r);
}

}  // namespace pilotledger::projections
