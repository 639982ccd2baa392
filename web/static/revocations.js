// "/revocations": a live feed of title.revoked over the WebSocket stream. Each revocation is proven
// like a decision. After a dropped connection it reconnects with from = the next seq it expects
// (docs/api.md: "a watcher that reconnects with from = last seq + 1 misses nothing").
import { h, fill, table } from "./dom.js";
import { t, href, label } from "./i18n.js";
import { getJson, getText, fetchProof } from "./api.js";
import { leafHash, parseLedgerKey, verifyCheckpoint, verifyInclusion } from "./verify.js";

const PREFIX = '{"entry":';

export async function revocationsPage(main) {
  const state = h("p", { id: "feed-state", role: "status", dataset: { state: "connecting" } }, t("connecting"));
  const body = h("tbody", { id: "feed" });
  const feedTable = h("table", { id: "feed-table" }, h("caption", {}, t("feed_caption")),
    h("thead", {}, h("tr", {}, [t("seq"), t("unit_id"), t("campaign"), t("reason"), t("received"), t("verified")].map((x) => h("th", { scope: "col" }, x)))),
    body);
  const keyText = (await getText("/v1/ledger-key")).trim();
  fill(main, h("h1", {}, t("live")), state, feedTable, h("p", { class: "key" }, t("ledger_key"), ": ", h("code", { id: "ledger-key" }, keyText)));

  const key = parseLedgerKey(keyText);
  key.catch(() => {});
  let latest = null;  // the newest verified checkpoint
  const checkpointCovering = async (seq) => {
    if (!latest || latest.size <= seq) {
      const cp = await verifyCheckpoint(await getText("/v1/checkpoint"), await key);
      if (!latest || cp.size > latest.size) latest = cp;
    }
    return latest;
  };

  const shown = new Set();
  const show = async (text) => {
    const leaf = new TextEncoder().encode(text.slice(PREFIX.length, -1));
    const entry = JSON.parse(new TextDecoder().decode(leaf));
    if (shown.has(entry.seq)) return;
    shown.add(entry.seq);
    const b = entry.event.body;
    const unitCell = h("td", {}, h("a", { href: href("/units/" + encodeURIComponent(b.unit_id)) }, b.unit_id));
    const mark = h("span", { class: "mark checking" }, t("checking"));
    const row = h("tr", { dataset: { seq: entry.seq, unit: b.unit_id, verify: "pending" } },
      h("td", { class: "num" }, entry.seq), unitCell, h("td", {}, b.campaign), h("td", {}, label("reasons", b.reason) + (b.note ? `: ${b.note}` : "")),
      h("td", { class: "date" }, entry.received.replace("T", " ").slice(0, 19) + " UTC"), h("td", {}, mark));
    const after = [...body.children].find((r) => Number(r.dataset.seq) < entry.seq);
    body.insertBefore(row, after ?? null);
    getJson("/v1/units/" + encodeURIComponent(b.unit_id)).then((u) => { const a = unitCell.firstChild; a.replaceChildren(u.name, h("span", { class: "sub code" }, b.unit_id)); }, () => {});
    let failure = null;
    try {
      await verifyInclusion(entry.seq, await leafHash(leaf), await checkpointCovering(entry.seq), fetchProof);
    } catch (e) {
      failure = e.message;
    }
    row.dataset.verify = failure ? "failed" : "verified";
    mark.className = "mark " + (failure ? "failed" : "verified");
    fill(mark, failure ? "✗ " + t("decision_failed", entry.seq, entry.event.type, failure) : "✓ " + t("verified"));
  };

  let next = 0;  // the seq the stream is to continue at
  let delay = 250;
  const connect = () => {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/stream?from=${next}&types=title.revoked`);
    ws.onopen = () => { delay = 250; state.dataset.state = "connected"; fill(state, t("connected")); };
    ws.onmessage = (m) => {
      const text = String(m.data);
      if (text.startsWith(PREFIX)) {
        next = Math.max(next, JSON.parse(text).entry.seq + 1);
        show(text);
      } else {
        const msg = JSON.parse(text);
        if ("caught_up" in msg) next = Math.max(next, msg.caught_up);
      }
    };
    ws.onclose = () => {
      state.dataset.state = "disconnected";
      fill(state, t("disconnected"));
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 4000);
    };
  };
  connect();
}
