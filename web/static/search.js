// "/": search units by part of the name, credit code, region or authority; counts per campaign.
import { h, fill, table } from "./dom.js";
import { t, label, href } from "./i18n.js";
import { getJson, allUnits, ApiError } from "./api.js";

// Titled, revoked and under-review units per campaign (docs/api.md, "The web page").
function countRows(campaigns, units) {
  return campaigns.map((c) => {
    const batches = c.rules?.review?.batches ?? [];
    let titled = 0, revoked = 0, review = 0;
    for (const u of units) {
      const title = u.titles[c.campaign];
      if (title?.active) titled++;
      else if (title) revoked++;
      if (batches.some((b) => u.titles[b]?.active) && u.reviews[c.campaign]?.state !== "passed") review++;
    }
    return h("tr", { dataset: { campaign: c.campaign } },
      h("th", { scope: "row" }, h("a", { href: href("/campaigns/" + encodeURIComponent(c.campaign)) }, c.title), " (", c.campaign, ")"),
      h("td", { class: "num", dataset: { count: "titled" } }, titled),
      h("td", { class: "num", dataset: { count: "revoked" } }, revoked),
      h("td", { class: "num", dataset: { count: "under_review" } }, batches.length ? review : "—"));
  });
}

export function unitRow(u) {
  return h("tr", { dataset: { unit: u.id } },
    h("td", {}, h("a", { href: href("/units/" + encodeURIComponent(u.id)) }, u.name)),
    h("td", { class: "code" }, u.id),
    h("td", {}, label("cat", u.category)),
    h("td", { class: "code" }, u.region),
    h("td", { class: "code" }, u.authority),
    h("td", {}, h("span", { class: "status status-" + u.status, dataset: { status: u.status } }, label("st", u.status))));
}

// The units matching `q`: a whole credit code, a 6-digit region or authority code, "soe:…", part of
// a credit code (matched against every unit), else part of the name.
async function search(q, units) {
  const found = new Map();
  const add = (list) => list.forEach((u) => found.set(u.id, u));
  const list = (params) => getJson("/v1/units?limit=1000&" + new URLSearchParams(params)).then((r) => r.units);
  if (/^[0-9A-Z]{18}$/.test(q)) {
    try { add([await getJson("/v1/units/" + q)]); } catch (e) { if (!(e instanceof ApiError && e.status === 404)) throw e; }
  } else if (/^[0-9]{6}$/.test(q)) {
    add(await list({ region: q }));
    add(await list({ authority: q }));
  } else if (/^soe:/.test(q)) {
    add(await list({ authority: q }));
  } else if (/^[0-9A-Za-z]{4,17}$/.test(q)) {
    add(units.filter((u) => u.id.includes(q.toUpperCase())));
  }
  if (!/^[0-9]+$/.test(q)) add(await list({ name: q }));
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export async function searchPage(main) {
  const q = (new URLSearchParams(location.search).get("q") ?? "").trim();
  const input = h("input", { id: "q", name: "q", type: "search", value: q, "aria-describedby": "q-hint", autocomplete: "off" });
  const results = h("section", { id: "results", "aria-live": "polite" });
  const counts = h("section", { id: "counts", "aria-labelledby": "counts-title" }, h("h2", { id: "counts-title" }, t("counts")), h("p", {}, t("loading")));
  const form = h("form", { role: "search", action: "/", method: "get", class: "search" },
    h("label", { for: "q" }, t("search_label")), h("div", { class: "row" }, input, h("button", { type: "submit" }, t("search"))),
    h("p", { id: "q-hint", class: "hint" }, t("search_hint")));
  fill(main, h("h1", {}, t("title")), h("p", { class: "lead" }, t("subtitle")), form, results, counts);

  const [campaignList, units] = await Promise.all([getJson("/v1/campaigns"), allUnits()]);
  const campaigns = await Promise.all(campaignList.campaigns.map((c) => getJson("/v1/campaigns/" + encodeURIComponent(c.campaign))));
  fill(counts, h("h2", { id: "counts-title" }, t("counts")),
    table(t("counts"), [t("campaign"), t("titled"), t("revoked"), t("under_review")], countRows(campaigns, units), { id: "counts-table" }));

  const run = async (query) => {
    if (!query) return fill(results);
    const found = await search(query, units);
    if (!found.length) return fill(results, h("p", { id: "result-summary" }, t("no_results", query)));
    fill(results, h("h2", { id: "result-summary" }, t("results", found.length, query)),
      table(t("results", found.length, query), [t("name"), t("id"), t("category"), t("region"), t("authority"), t("status")],
        found.slice(0, 200).map(unitRow), { id: "results-table" }));
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const query = input.value.trim();
    history.pushState(null, "", href("/", query ? { q: query } : {}));
    run(query).catch((e) => fill(results, h("p", { role: "alert" }, e.message)));
  });
  // Back and forward between searches.
  window.addEventListener("popstate", () => {
    input.value = (new URLSearchParams(location.search).get("q") ?? "").trim();
    run(input.value).catch((e) => fill(results, h("p", { role: "alert" }, e.message)));
  });
  await run(q);
}
