// "/units/{id}": the unit, its titles, and every decision with a mark this browser earned: it hashes
// the entry as served, fetches its inclusion proof and checks it against the latest checkpoint,
// whose Ed25519 signature it checks against the ledger key shown on the page.
import { h, fill, table } from "./dom.js";
import { t, label, href } from "./i18n.js";
import { getJson, getText, getBytes, fetchProof } from "./api.js";
import { leafHash, b64decode, parseLedgerKey, verifyCheckpoint, verifyInclusion } from "./verify.js";

function titleRows(u) {
  return Object.entries(u.titles).map(([c, title]) => h("tr", { dataset: { campaign: c } },
    h("th", { scope: "row" }, h("a", { href: href("/campaigns/" + encodeURIComponent(c)) }, c)),
    h("td", {}, title.active ? t("active") : t("revoked_title")),
    h("td", {}, title.active ? t("granted_at", title.granted_seq) : t("revoked_at", title.revoked_seq, label("reasons", title.reason)))));
}

// Checks one decision; resolves to null when verified, else to the reason it failed.
async function check(seq, type, trust) {
  let entry = null;
  try {
    const bytes = await getBytes("/v1/entries/" + seq);
    entry = JSON.parse(new TextDecoder().decode(bytes));
    if (entry.seq !== seq) throw new Error(`the server sent entry ${entry.seq} for ${seq}`);
    if ((entry.event?.type ?? entry.type) !== type) throw new Error(`entry ${seq} is not a ${type}`);
    const leaf = entry.redacted ? b64decode(entry.leaf_hash) : await leafHash(bytes);
    const cp = await trust;  // throws if the key or the checkpoint failed
    await verifyInclusion(seq, leaf, cp, fetchProof);
    return { entry, failure: null };
  } catch (e) {
    return { entry, failure: e.message };
  }
}

export async function unitPage(main, id) {
  const u = await getJson("/v1/units/" + encodeURIComponent(id));
  const keyText = await getText("/v1/ledger-key").catch((e) => "(" + e.message + ")");
  const trust = parseLedgerKey(keyText).then(async (key) => verifyCheckpoint(await getText("/v1/checkpoint"), key));
  trust.catch(() => {});

  const summary = h("p", { id: "verify-summary", role: "status" }, t("checking"));
  const rows = u.history.map((d) => {
    const mark = h("span", { class: "mark checking" }, t("checking"));
    const row = h("tr", { dataset: { seq: d.seq, verify: "pending" } },
      h("td", { class: "num" }, d.seq), h("td", { class: "code" }, d.type), h("td", { class: "date" }, "…"), h("td", { class: "signers" }, "…"), h("td", {}, mark));
    return { d, row, mark };
  });
  const descriptor = [
    [t("id"), u.id], [t("category"), label("cat", u.category) + (u.subtype ? " / " + u.subtype : "")],
    [t("region"), u.region], [t("authority"), u.authority],
  ];
  fill(main,
    h("h1", {}, u.name),
    h("dl", { class: "facts" }, descriptor.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      h("dt", {}, t("status")), h("dd", {}, h("span", { id: "unit-status", class: "status status-" + u.status, dataset: { status: u.status } }, label("st", u.status)))),
    h("h2", {}, t("titles")),
    Object.keys(u.titles).length ? table(t("titles"), [t("campaign"), t("status"), t("record")], titleRows(u), { id: "titles-table" }) : h("p", {}, t("none")),
    h("h2", {}, t("history")),
    summary,
    table(t("history"), [t("seq"), t("type"), t("date"), t("signers"), t("verified")], rows.map((r) => r.row), { id: "history-table" }),
    h("p", { class: "key" }, t("ledger_key"), ": ", h("code", { id: "ledger-key" }, keyText.trim())),
    h("p", { id: "checkpoint-info", class: "hint" }));

  trust.then((cp) => fill(document.getElementById("checkpoint-info"), t("checkpoint", cp.size)), () => {});
  const results = await Promise.all(rows.map(async (r) => {
    const { entry, failure } = await check(r.d.seq, r.d.type, trust);
    if (entry && !entry.redacted) {
      fill(r.row.children[2], entry.event.time.slice(0, 10));
      fill(r.row.children[3], entry.sigs.map((s) => s.signer).join(", "));
    } else {
      fill(r.row.children[2], "—");
      fill(r.row.children[3], "—");
    }
    r.row.dataset.verify = failure ? "failed" : "verified";
    r.mark.className = "mark " + (failure ? "failed" : "verified");
    fill(r.mark, failure ? "✗ " + t("decision_failed", r.d.seq, r.d.type, failure) : "✓ " + t("verified"));
    return failure;
  }));
  const failed = results.filter(Boolean).length;
  summary.className = failed ? "bad" : "good";
  fill(summary, failed ? t("some_failed", failed) : t("all_verified", results.length));
}
