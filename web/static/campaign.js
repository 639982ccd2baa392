// "/campaigns/{c}": the campaign's rules in force, as readable tables.
import { h, fill, table } from "./dom.js";
import { t, label, href } from "./i18n.js";
import { getJson } from "./api.js";

function criterion(c) {
  const cond = "min" in c ? `≥ ${c.min}` : "max" in c ? `≤ ${c.max}` : "equals" in c ? `= ${c.equals}` : "";
  return h("tr", {}, h("td", { class: "code" }, c.id), h("td", { class: "code" }, c.metric ?? ""), h("td", {}, cond), h("td", {}, c.text ?? ""));
}

export async function campaignPage(main, id) {
  const c = await getJson("/v1/campaigns/" + encodeURIComponent(id));
  const r = c.rules ?? {};
  const facts = [
    [t("campaign"), c.campaign], [t("document"), r.document ?? t("none")], [t("deadline"), c.deadline ?? t("none")],
    [t("historical"), c.historical ? t("yes") : t("no")], [t("provisional"), c.provisional ? t("yes") : t("no")],
  ];
  const quotas = r.quotas ?? {};
  const categories = [...new Set(Object.values(quotas).flatMap((q) => Object.keys(q)))];
  const quotaRows = Object.entries(quotas).map(([kind, q]) => h("tr", {},
    h("th", { scope: "row" }, label("kinds", kind)), categories.map((cat) => h("td", { class: "num" }, q[cat] ?? "—"))));
  const groups = Object.entries(r.eligibility ?? {});
  const criteria = groups.reduce((n, [, list]) => n + list.length, 0);
  fill(main,
    h("h1", {}, c.title),
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    r.review ? h("p", { id: "review-rule" }, t("review_cap"), ": ", t("review_batches", r.review.batches.join(", "), r.review.cap_bp / 100)) : null,
    h("h2", {}, t("quotas_per_kind")),
    quotaRows.length ? table(t("quotas_per_kind"), [t("kind"), ...categories.map((x) => label("cat", x))], quotaRows, { id: "quota-rules" }) : h("p", {}, t("none")),
    h("p", {}, h("a", { href: href(`/campaigns/${encodeURIComponent(c.campaign)}/quotas`) }, t("quota_link"))),
    h("h2", {}, t("eligibility", criteria)),
    groups.map(([group, list]) => h("section", {}, h("h3", {}, group),
      table(group, ["ID", "metric", "", ""], list.map(criterion)))));
}
