// The web page end to end: the real pilotledgerd with the development sample, Debian's Chromium.
// Run by ctest (web_pages): node --test web/tests/ with PILOT_SOURCE_DIR, PILOT_BIN_DIR and
// PILOT_SCREENSHOTS (build/screenshots/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Sample } from "./sample.mjs";
import { Proxy } from "./proxy.mjs";
import { launch, seriousViolations } from "./browser.mjs";

const sourceDir = process.env.PILOT_SOURCE_DIR ?? path.resolve(import.meta.dirname, "../..");
const binDir = process.env.PILOT_BIN_DIR ?? path.join(sourceDir, "build", "bin");
const shots = process.env.PILOT_SCREENSHOTS ?? path.join(sourceDir, "build", "screenshots");
const UNIT = "91110104XH1HAKRRHY";  // 北京银龄信息技术有限公司, titled in sample-2026 (docs/api.md)

let sample, browser, proxy;
before(async () => {
  mkdirSync(shots, { recursive: true });
  sample = await new Sample(sourceDir, binDir).start();
  proxy = await new Proxy(sample.url).listen();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await sample?.stop();
});

// A new page that fails the test on any console error (a CSP violation among them) or page error.
async function open(url) {
  const page = await browser.context.newPage();
  page.problems = [];
  page.on("console", (m) => { if (m.type() === "error") page.problems.push(m.text()); });
  page.on("pageerror", (e) => page.problems.push(String(e)));
  await page.goto(url);
  return page;
}

// Waits until the page has finished checking, then asserts the outcome (so a failure says what
// failed instead of timing out).
async function summary(page, want) {
  const el = page.locator("#verify-summary.good, #verify-summary.bad");
  await el.waitFor();
  assert.equal(await el.getAttribute("class"), want, await el.textContent() + " / " +
    (await page.locator('#history-table tr[data-verify="failed"] .mark').allTextContents()).join("; "));
}

async function verifiedRow(page, selector, timeout) {
  const row = page.locator(`${selector}:not([data-verify="pending"])`);
  await row.waitFor({ timeout });
  assert.equal(await row.getAttribute("data-verify"), "verified", await row.locator(".mark").textContent());
}

async function finish(page, name, { allowErrors = false } = {}) {
  assert.deepEqual(await seriousViolations(page), [], `axe-core on ${name}`);
  await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
  if (!allowErrors) assert.deepEqual(page.problems, [], `console errors on ${name}`);
  await page.close();
}

test("the page's files carry their type, caching and a strict CSP; other queries are refused", async () => {
  const page = await fetch(sample.url + "/units/" + UNIT);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(page.headers.get("cache-control"), "no-cache");
  const csp = page.headers.get("content-security-policy");
  assert.match(csp, /default-src 'none'; script-src 'self'; style-src 'self';/);
  const html = await page.text();
  const js = /src="(\/static\/[0-9a-f]{12}\/app\.js)"/.exec(html)[1];
  assert.doesNotMatch(html.replace(/<script type="module" src="[^"]+"><\/script>/, ""), /<script/);
  const asset = await fetch(sample.url + js);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(asset.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(asset.headers.get("set-cookie"), null);
  assert.equal((await fetch(sample.url + "/static/000000000000/app.js")).status, 404);
  assert.equal((await fetch(sample.url + js.replace("app.js", "nope.js"))).status, 404);
  assert.equal((await fetch(sample.url + "/?x=1")).status, 400);
  assert.equal((await fetch(sample.url + "/units")).status, 404);
});

test("search finds a unit by part of its Chinese name; the counts are the API's", async () => {
  const page = await open(sample.url + "/");
  await page.getByLabel("单位名称、统一社会信用代码、地区或主管单位代码").fill("银龄信息");
  await page.keyboard.press("Enter");
  const row = page.locator(`#results-table tr[data-unit="${UNIT}"]`);
  await row.waitFor();
  assert.equal(await row.locator("a").textContent(), "北京银龄信息技术有限公司");
  assert.equal(new URL(page.url()).searchParams.get("q"), "银龄信息");
  await page.getByLabel("单位名称、统一社会信用代码、地区或主管单位代码").fill("不存在的单位名");
  await page.getByRole("button", { name: "查询" }).click();
  const none = page.locator("#result-summary", { hasText: "没有与" });
  await none.waitFor();
  assert.equal(await none.textContent(), "没有与“不存在的单位名”匹配的单位");
  await page.goBack();
  await row.waitFor();

  // Counts per campaign, computed here from the API independently of the page.
  const units = (await sample.get("/v1/units?limit=1000")).units;
  const { campaigns } = await sample.get("/v1/campaigns");
  await page.locator("#counts-table").waitFor();
  for (const c of campaigns) {
    const rules = (await sample.get("/v1/campaigns/" + c.campaign)).rules;
    const batches = rules.review?.batches ?? [];
    const titled = units.filter((u) => u.titles[c.campaign]?.active).length;
    const revoked = units.filter((u) => u.titles[c.campaign] && !u.titles[c.campaign].active).length;
    const review = units.filter((u) => batches.some((b) => u.titles[b]?.active) && u.reviews[c.campaign]?.state !== "passed").length;
    const tr = page.locator(`#counts-table tr[data-campaign="${c.campaign}"]`);
    assert.equal(await tr.locator('[data-count="titled"]').textContent(), String(titled), c.campaign);
    assert.equal(await tr.locator('[data-count="revoked"]').textContent(), String(revoked), c.campaign);
    assert.equal(await tr.locator('[data-count="under_review"]').textContent(), batches.length ? String(review) : "—", c.campaign);
  }
  await finish(page, "search");
});

test("search by credit code, region and authority", async () => {
  const page = await open(sample.url + "/?q=" + UNIT.slice(0, 10));
  await page.locator(`#results-table tr[data-unit="${UNIT}"]`).waitFor();
  await page.goto(sample.url + "/?q=440304");
  await page.locator("#results-table").waitFor();
  const expected = (await sample.get("/v1/units?region=440304&limit=1000")).units.map((u) => u.id);
  for (const id of expected) assert.equal(await page.locator(`#results-table tr[data-unit="${id}"]`).count(), 1, id);
  await page.goto(sample.url + "/?q=soe:soe-cec");
  await page.locator('#results-table tr[data-unit="911101012YTMLTMM8A"]').waitFor();
  await page.close();
});

test("the unit page shows the status and a verified mark on every decision", async () => {
  const page = await open(sample.url + "/?q=银龄");
  await page.locator(`#results-table tr[data-unit="${UNIT}"] a`).click();
  await page.waitForURL("**/units/" + UNIT);
  assert.equal(await page.locator("#unit-status").getAttribute("data-status"), "titled");
  assert.equal(await page.locator("#unit-status").textContent(), "已授牌");
  const history = (await sample.get("/v1/units/" + UNIT)).history;
  await summary(page, "good");
  const rows = page.locator("#history-table tbody tr");
  assert.equal(await rows.count(), history.length);
  for (let i = 0; i < history.length; i++) {
    assert.equal(await rows.nth(i).getAttribute("data-seq"), String(history[i].seq));
    assert.equal(await rows.nth(i).getAttribute("data-verify"), "verified");
    assert.equal(await rows.nth(i).locator(".mark").textContent(), "✓ 已核验");
  }
  assert.equal(await page.locator("#ledger-key").textContent(), (await (await fetch(sample.url + "/v1/ledger-key")).text()).trim());
  await finish(page, "unit");

  // A unit of the sample whose title was revoked, as the API lists it.
  const REVOKED = (await sample.get("/v1/units?status=revoked&limit=1")).units[0].id;
  const revoked = await open(sample.url + "/units/" + REVOKED + "?lang=en");
  assert.equal(await revoked.locator("#unit-status").getAttribute("data-status"), "revoked");
  assert.equal(await revoked.locator("#unit-status").textContent(), "revoked");
  await summary(revoked, "good");
  assert.equal(await revoked.locator('#history-table tr[data-verify="verified"]').count(), (await sample.get("/v1/units/" + REVOKED)).history.length);
  await finish(revoked, "unit-revoked-en");
});

test("a forged inclusion proof shows as failed, naming the decision", async () => {
  const history = (await sample.get("/v1/units/" + UNIT)).history;
  const forged = history.find((d) => d.type === "title.granted");
  proxy.forgeIndex = forged.seq;
  try {
    const page = await open(proxy.url + "/units/" + UNIT);
    await summary(page, "bad");
    const row = page.locator(`#history-table tr[data-seq="${forged.seq}"]`);
    assert.equal(await row.getAttribute("data-verify"), "failed");
    assert.equal(await row.locator(".mark").textContent(),
      `✗ 第 ${forged.seq} 条决定（title.granted）核验失败：the inclusion proof does not lead to the checkpoint's root`);
    assert.equal(await page.locator('#history-table tr[data-verify="verified"]').count(), history.length - 1);
    assert.equal(await page.locator("#verify-summary").textContent(), "1 项决定核验失败");
    await finish(page, "unit-forged-proof");
  } finally {
    proxy.forgeIndex = null;
  }
});

test("campaign rules", async () => {
  const page = await open(sample.url + "/campaigns/sample-2026");
  await page.locator("#quota-rules").waitFor();
  const rules = (await sample.get("/v1/campaigns/sample-2026")).rules;
  const province = page.locator("#quota-rules tbody tr").filter({ hasText: "省级" });
  const cells = await province.locator("td").allTextContents();
  const categories = Object.keys(rules.quotas.province);
  assert.deepEqual(cells.slice(0, categories.length), categories.map((c) => String(rules.quotas.province[c])));
  assert.match(await page.locator("#review-rule").textContent(), /2017, 2018, 2019.*70%/);
  await finish(page, "campaign");
});

test("the quota dashboard refuses an anonymous reader and shows the API's numbers to a provincial actor", async () => {
  const page = await open(sample.url + "/campaigns/sample-2026/quotas");
  await page.locator("#quota-refused").waitFor();
  assert.equal(await page.locator("#quota-refused").textContent(), "名额使用情况仅向已签名登录的部委、省级主管部门、央企集团和审计组提供。");
  await finish(page, "quotas-anonymous", { allowErrors: true }); // the browser logs the 401

  const signed = await open(sample.url + "/campaigns/sample-2026/quotas");
  await signed.locator("#quota-refused").waitFor();
  await signed.getByLabel("密钥文件（仅在本浏览器内使用，不会上传）").setInputFiles(sample.key("p440000-miit"));
  await signed.locator("#quota-table").waitFor();
  assert.equal(await signed.locator("#who").textContent(), "已签名登录：p440000-miit");
  const q = await sample.getAs("p440000-miit", "/v1/campaigns/sample-2026/quotas");
  assert.equal(await signed.locator("#quota-table tbody tr").count(), q.authorities.length);
  for (const a of q.authorities) {
    const tr = signed.locator(`#quota-table tr[data-authority="${a.authority}"]`);
    for (const [c, p] of Object.entries(a.places)) {
      const want = `${p.used}/${p.limit ?? "—"}${p.extra ? ` (+${p.extra})` : ""}`;
      assert.equal(await tr.locator(`[data-cat="${c}"]`).textContent(), want, `${a.authority} ${c}`);
    }
    if (a.review) {
      assert.equal(await tr.locator('[data-f="base"]').textContent(), String(a.review.base));
      assert.equal(await tr.locator('[data-f="recommended"]').textContent(), String(a.review.recommended));
      assert.equal(await tr.locator('[data-f="remaining"]').textContent(), String(a.review.remaining));
    }
  }
  await finish(signed, "quotas", { allowErrors: true });
});

async function revoke(unit, note) {
  await sample.pilotctl("revoke", unit, "--campaign", "sample-2026", "--reason", "other", "--note", note,
    "--key", sample.key("miit"), "--key", sample.key("mca"), "--key", sample.key("nhc"));
}

test("the revocations feed is live, proven, and misses nothing across a disconnect", async () => {
  const units = (await sample.get("/v1/units?status=titled&campaign=sample-2026&limit=1000")).units
    .filter((u) => u.titles["sample-2026"]?.active && u.id !== UNIT);
  const [live, missed] = units;
  const entries = [];
  for (let from = 0; ; ) {
    const page = (await sample.get(`/v1/entries?from=${from}&limit=1000`)).entries;
    entries.push(...page);
    if (page.length < 1000) break;
    from += page.length;
  }
  const before_ = entries.filter((e) => e.event?.type === "title.revoked");

  const page = await open(proxy.url + "/revocations");
  await page.locator('#feed-state[data-state="connected"]').waitFor();
  for (const e of before_) await verifiedRow(page, `#feed tr[data-seq="${e.seq}"]`);

  await revoke(live.id, "网页测试：实时");
  await page.locator(`#feed tr[data-unit="${live.id}"]`).waitFor({ timeout: 2000 });
  await verifiedRow(page, `#feed tr[data-unit="${live.id}"]`);

  proxy.blockStreams = true;
  proxy.dropStreams();
  await page.locator('#feed-state[data-state="disconnected"]').waitFor();
  await revoke(missed.id, "网页测试：断线期间");
  assert.equal(await page.locator(`#feed tr[data-unit="${missed.id}"]`).count(), 0);
  proxy.blockStreams = false;
  await verifiedRow(page, `#feed tr[data-unit="${missed.id}"]`, 15000);
  await page.locator('#feed-state[data-state="connected"]').waitFor();
  assert.equal(await page.locator("#feed tr").count(), before_.length + 2);
  // Newest first.
  assert.equal(await page.locator("#feed tr").first().getAttribute("data-unit"), missed.id);
  await finish(page, "revocations", { allowErrors: true }); // the refused reconnects are logged
});

test("the English switch keeps the page and every page passes axe-core in English", async () => {
  const page = await open(sample.url + "/?q=养老");
  await page.locator("#results-table").waitFor();
  await page.locator("#lang-switch").click();
  await page.waitForURL((u) => u.searchParams.get("lang") === "en" && u.searchParams.get("q") === "养老");
  assert.equal(await page.locator("h1").textContent(), "Smart Health and Elderly Care Pilot Demonstration");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.locator("#results-table").waitFor();
  await page.locator("#lang-switch").focus();
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => !u.searchParams.has("lang"));
  await page.close();
  for (const [name, url] of [["search-en", "/?q=110000&lang=en"], ["campaign-en", "/campaigns/2018?lang=en"],
    ["revocations-en", "/revocations?lang=en"], ["quotas-en", "/campaigns/sample-2026/quotas?lang=en"]]) {
    const p = await open(sample.url + url);
    await p.locator("main h1").waitFor();
    await p.waitForLoadState("networkidle");
    await finish(p, name, { allowErrors: true });
  }
});
