// Chinese by default, English with ?lang=en. The choice travels in the links (no cookie, no storage).
export const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "zh";

const zh = {
  skip: "跳到正文", home: "查询", revocations: "撤销动态", switch: "English", site: "站点",
  title: "智慧健康养老应用试点示范", subtitle: "试点示范名单查询：每项决定均由本浏览器对照账本公钥核验",
  search_label: "单位名称、统一社会信用代码、地区或主管单位代码", search: "查询",
  search_hint: "例如：养老、91110104XH1HAKRRHY、110000、soe:soe-cec",
  results: (n, q) => `“${q}”的查询结果：${n} 个单位`, no_results: (q) => `没有与“${q}”匹配的单位`,
  counts: "各批次单位数", campaign: "批次", titled: "已授牌", revoked: "已撤销", under_review: "复核中",
  name: "名称", id: "统一社会信用代码", category: "类别", region: "所在地区", authority: "主管单位", status: "状态",
  unit: "单位", titles: "称号", history: "决定记录", seq: "序号", type: "类型", date: "日期", signers: "签署方",
  verified: "已核验", failed: "核验失败", checking: "核验中…", active: "有效", revoked_title: "已撤销",
  granted_at: (s) => `授予于第 ${s} 条`, revoked_at: (s, r) => `撤销于第 ${s} 条（${r}）`,
  ledger_key: "账本公钥（请与正式公布的公钥比对）", checkpoint: (n) => `核验依据：账本前 ${n} 条记录的签名检查点`,
  decision_failed: (seq, type, why) => `第 ${seq} 条决定（${type}）核验失败：${why}`,
  all_verified: (n) => `全部 ${n} 项决定均已核验`, some_failed: (n) => `${n} 项决定核验失败`,
  not_found: "未找到", error: "出错了", loading: "加载中…",
  rules: "批次规则", deadline: "截止时间", none: "无", document: "文件", historical: "历史批次", provisional: "暂定",
  quotas_per_kind: "各类主管单位名额", kind: "主管单位类型", places: "名额", review_cap: "复核推荐上限",
  review_batches: (b, p) => `复核 ${b} 批称号；推荐数不超过复核中称号数的 ${p}%（向下取整）`,
  eligibility: (n) => `申报条件 ${n} 项`, quota_link: "名额使用情况（需签名登录）", yes: "是", no: "否",
  quotas: "名额使用情况", sign_in: "以主管部门身份签名登录", key_file: "密钥文件（仅在本浏览器内使用，不会上传）",
  signed_in: (a) => `已签名登录：${a}`, sign_out: "退出", anonymous_refused: "名额使用情况仅向已签名登录的部委、省级主管部门、央企集团和审计组提供。",
  limit: "上限", used: "已用", extra: "例外追加", exceptions: "例外", requested: "申请复核", base: "复核中称号",
  cap: "推荐上限", recommended: "已推荐", remaining: "剩余", chart: "名额使用图",
  live: "实时撤销动态", connected: "已连接，实时更新", disconnected: "连接已断开，正在重连…", connecting: "正在连接…",
  feed_caption: "称号撤销（最新在前）", reason: "原因", unit_id: "单位", received: "记录时间",
  cat: { enterprise: "企业", park: "园区", street: "街道（乡镇）", base: "基地", total: "央企名额" },
  reasons: { review_failed: "复核未通过", review_not_requested: "未申请复核", assessment_failed: "评估未通过", objection_upheld: "异议成立", other: "其他" },
  record: "记录", as_of: (n) => `截至账本第 ${n} 条记录`,
  st: { titled: "已授牌", revoked: "已撤销", submitted: "已申报", recommended: "已推荐", published: "公示中", rejected: "未通过", unknown: "未知" },
  kinds: { province: "省级", planned_city_or_xpcc: "计划单列市或兵团", soe_group: "央企集团" },
};

const en = {
  skip: "Skip to content", home: "Search", revocations: "Revocations", switch: "中文", site: "Site",
  title: "Smart Health and Elderly Care Pilot Demonstration", subtitle: "Title lookup: every decision is verified by this browser against the ledger key",
  search_label: "Unit name, unified social credit code, region or authority code", search: "Search",
  search_hint: "e.g. 养老, 91110104XH1HAKRRHY, 110000, soe:soe-cec",
  results: (n, q) => `Results for “${q}”: ${n} units`, no_results: (q) => `No unit matches “${q}”`,
  counts: "Units per campaign", campaign: "Campaign", titled: "Titled", revoked: "Revoked", under_review: "Under review",
  name: "Name", id: "Credit code", category: "Category", region: "Region", authority: "Authority", status: "Status",
  unit: "Unit", titles: "Titles", history: "Decisions", seq: "Seq", type: "Type", date: "Date", signers: "Signed by",
  verified: "verified", failed: "verification failed", checking: "checking…", active: "active", revoked_title: "revoked",
  granted_at: (s) => `granted at seq ${s}`, revoked_at: (s, r) => `revoked at seq ${s} (${r})`,
  ledger_key: "Ledger key (compare it with the published one)", checkpoint: (n) => `Checked against the signed checkpoint of the first ${n} entries`,
  decision_failed: (seq, type, why) => `Decision ${seq} (${type}) failed verification: ${why}`,
  all_verified: (n) => `All ${n} decisions verified`, some_failed: (n) => `${n} decisions failed verification`,
  not_found: "Not found", error: "Error", loading: "Loading…",
  rules: "Campaign rules", deadline: "Deadline", none: "none", document: "Document", historical: "Historical", provisional: "Provisional",
  quotas_per_kind: "Places per authority kind", kind: "Authority kind", places: "Places", review_cap: "Review cap",
  review_batches: (b, p) => `Reviews the titles of ${b}; recommendations at most ${p}% of the titles under review (rounded down)`,
  eligibility: (n) => `${n} eligibility criteria`, quota_link: "Quota usage (sign-in required)", yes: "yes", no: "no",
  quotas: "Quota usage", sign_in: "Sign in as an authority", key_file: "Key file (used only in this browser, never uploaded)",
  signed_in: (a) => `Signed in as ${a}`, sign_out: "Sign out", anonymous_refused: "Quota usage is served only to signed-in ministry, provincial, SOE group and auditor actors.",
  limit: "Limit", used: "Used", extra: "Extra", exceptions: "Exceptions", requested: "Review requested", base: "Titles under review",
  cap: "Cap", recommended: "Recommended", remaining: "Remaining", chart: "Quota usage chart",
  live: "Live revocations", connected: "Connected, live", disconnected: "Disconnected, reconnecting…", connecting: "Connecting…",
  feed_caption: "Title revocations (newest first)", reason: "Reason", unit_id: "Unit", received: "Recorded",
  cat: { enterprise: "enterprise", park: "park", street: "street", base: "base", total: "SOE total" },
  reasons: { review_failed: "review failed", review_not_requested: "review not requested", assessment_failed: "assessment failed", objection_upheld: "objection upheld", other: "other" },
  record: "Record", as_of: (n) => `As of log size ${n}`,
  st: { titled: "titled", revoked: "revoked", submitted: "submitted", recommended: "recommended", published: "published", rejected: "rejected", unknown: "unknown" },
  kinds: { province: "province", planned_city_or_xpcc: "planned city or XPCC", soe_group: "SOE group" },
};

const dict = lang === "en" ? en : zh;

// t("key") or t("key", args…) for the phrases that take arguments.
export function t(key, ...args) {
  const v = dict[key];
  return typeof v === "function" ? v(...args) : v ?? key;
}
export const label = (group, value) => dict[group]?.[value] ?? value;

// A same-site link that keeps the language.
export function href(path, params = {}) {
  const q = new URLSearchParams(params);
  if (lang === "en") q.set("lang", "en");
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
