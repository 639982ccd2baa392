// "/campaigns/{c}/quotas": quota usage for a signed-in actor. The key file is read in the browser
// and its key imported as non-extractable; each request carries only the signed read header.
import { h, fill, table } from "./dom.js";
import { t, label } from "./i18n.js";
import { getJson, ApiError } from "./api.js";
import { loadKeyFile, readAuthorization } from "./sign.js";

const cell = (p) => (p ? `${p.used}/${p.limit ?? "—"}${p.extra ? ` (+${p.extra})` : ""}` : "—");

function bar(name, p) {
  const limit = (p.limit ?? 0) + (p.extra ?? 0);
  const id = "bar-" + name.replace(/\W/g, "") + Math.random().toString(36).slice(2, 7);
  return h("div", { class: "bar-row" }, h("label", { for: id, class: "bar-label" }, name),
    h("meter", { id, min: 0, max: Math.max(limit, p.used, 1), value: p.used, class: "bar" }, `${p.used}/${limit || "—"}`),
    h("span", { class: "bar-value" }, `${p.used}/${limit || "—"}`));
}

function render(out, q) {
  const categories = [...new Set(q.authorities.flatMap((a) => Object.keys(a.places)))];
  const review = q.authorities.some((a) => a.review);
  const headers = [t("authority"), t("kind"), ...categories.map((c) => label("cat", c)), t("exceptions")];
  if (review) headers.push(t("base"), t("cap"), t("recommended"), t("remaining"));
  const rows = q.authorities.map((a) => h("tr", { dataset: { authority: a.authority } },
    h("th", { scope: "row", class: "code" }, a.authority), h("td", {}, label("kinds", a.kind)),
    categories.map((c) => h("td", { class: "num", dataset: { cat: c } }, cell(a.places[c]))),
    h("td", { class: "num" }, a.exceptions.length),
    review ? [h("td", { class: "num", dataset: { f: "base" } }, a.review?.base ?? "—"),
      h("td", { class: "num", dataset: { f: "cap" } }, a.review ? `${a.review.cap}${a.review.extra ? ` (+${a.review.extra})` : ""}` : "—"),
      h("td", { class: "num", dataset: { f: "recommended" } }, a.review?.recommended ?? "—"),
      h("td", { class: "num", dataset: { f: "remaining" } }, a.review?.remaining ?? "—")] : null));
  const totals = {};
  for (const a of q.authorities) for (const [c, p] of Object.entries(a.places)) {
    const s = (totals[c] ??= { used: 0, limit: 0, extra: 0 });
    s.used += p.used; s.limit += p.limit ?? 0; s.extra += p.extra;
  }
  fill(out,
    h("p", { class: "hint" }, t("as_of", q.as_of)),
    h("section", { "aria-labelledby": "chart-title" }, h("h2", { id: "chart-title" }, t("chart")),
      Object.entries(totals).map(([c, p]) => bar(label("cat", c), p))),
    table(t("quotas"), headers, rows, { id: "quota-table" }),
    q.authorities.filter((a) => a.review?.note).map((a) => h("p", { class: "note" }, `${a.authority}: ${a.review.note}`)));
}

export async function quotasPage(main, campaign) {
  const target = `/v1/campaigns/${encodeURIComponent(campaign)}/quotas`;
  const out = h("section", { id: "quotas", "aria-live": "polite" });
  const who = h("p", { id: "who", role: "status" });
  const file = h("input", { id: "key-file", type: "file", accept: ".pem,.key,text/plain" });
  let signer = null;
  const load = async () => {
    try {
      const headers = signer ? { Authorization: await readAuthorization(signer, target) } : {};
      render(out, await getJson(target, headers));
    } catch (e) {
      const refused = e instanceof ApiError && (e.status === 401 || e.status === 403);
      fill(out, h("p", { id: "quota-refused", role: "alert", class: "bad" }, refused && !signer ? t("anonymous_refused") : `${e.code ?? ""}: ${e.message}`));
    }
  };
  file.addEventListener("change", async () => {
    try {
      signer = await loadKeyFile(await file.files[0].text());
      fill(who, t("signed_in", signer.actor));
    } catch (e) {
      signer = null;
      fill(who, e.message);
    }
    file.value = "";
    await load();
  });
  const out_ = h("button", { type: "button", id: "sign-out", onclick: () => { signer = null; fill(who); load(); } }, t("sign_out"));
  fill(main, h("h1", {}, t("quotas"), " · ", campaign),
    h("form", { class: "signin", onsubmit: (e) => e.preventDefault() },
      h("fieldset", {}, h("legend", {}, t("sign_in")), h("label", { for: "key-file" }, t("key_file")), file, out_)),
    who, out);
  await load();
}
