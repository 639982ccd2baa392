// The page's router: the server sends the same HTML at every page path; the path picks the view.
import { h, fill } from "./dom.js";
import { lang, t, href } from "./i18n.js";
import { searchPage } from "./search.js";
import { unitPage } from "./unit.js";
import { campaignPage } from "./campaign.js";
import { quotasPage } from "./quotas.js";
import { revocationsPage } from "./revocations.js";

function frame() {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  document.getElementById("skip-link").textContent = t("skip");
  document.getElementById("site-nav").setAttribute("aria-label", t("site"));
  const home = document.getElementById("nav-home");
  home.href = href("/");
  const rev = document.getElementById("nav-revocations");
  rev.href = href("/revocations");
  rev.textContent = t("revocations");
  const sw = document.getElementById("lang-switch");
  sw.textContent = t("switch");
  sw.lang = lang === "en" ? "zh-CN" : "en";
  sw.addEventListener("click", () => {
    const q = new URLSearchParams(location.search);
    if (lang === "en") q.delete("lang"); else q.set("lang", "en");
    const s = q.toString();
    location.assign(location.pathname + (s ? "?" + s : ""));
  });
  fill(document.getElementById("foot"), t("title"), " · PilotLedger");
}

async function route() {
  const main = document.getElementById("main");
  const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (parts.length === 0) return await searchPage(main);
    if (parts[0] === "units" && parts.length === 2) return await unitPage(main, parts[1]);
    if (parts[0] === "campaigns" && parts.length === 2) return await campaignPage(main, parts[1]);
    if (parts[0] === "campaigns" && parts.length === 3 && parts[2] === "quotas") return await quotasPage(main, parts[1]);
    if (parts[0] === "revocations" && parts.length === 1) return await revocationsPage(main);
    fill(main, h("h1", {}, t("not_found")));
  } catch (e) {
    fill(main, h("h1", {}, e.status === 404 ? t("not_found") : t("error")), h("p", { role: "alert" }, e.message));
  }
}

frame();
route();
