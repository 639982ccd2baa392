// Queries: status, units, quotas, entries, checkpoint, campaigns, actors.
#include <iomanip>
#include <set>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "client/cli/cli.h"
#include "ledger/checkpoint.h"

namespace pilotledger::cli {
namespace {

std::string Encode(const std::string& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// Runs GET `target` and prints it: --json as is, otherwise through `human`.
int Show(const Globals& g, const std::string& target, const std::function<void(const Json&)>& human) {
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<Json> j = (*c)->GetJson(target);
  if (!j.ok()) return FailRead(g, j.status());
  if (g.json) {
    PrintJson(*j);
  } else {
    human(*j);
  }
  return kOk;
}

std::string Cell(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// Prints rows as aligned columns (display width counts CJK characters as two).
void Table(const std::vector<std::vector<std::string>>& rows) {
  const auto width = [](const std::string& s) {
    size_t w = 0;
    for (size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      w += len >= 3 ? 2 : 1;
      i += len;
    }
    return w;
  };
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], width(row[i]));
    }
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::cout << row[i];
      if (i + 1 < row.size()) std::cout << std::string(widths[i] - width(row[i]) + 2, ' ');
    }
    std::cout << "\n";
  }
}

void PrintUnit(const Json& u) {
  std::cout << u.value("name", "") << " (" << u.value("id", "") << ")\n";
  std::cout << "  category   " << u.value("category", "") << (u.contains("subtype") ? " / " + u["subtype"].get<std::string>() : "")
            << "\n  region     " << u.value("region", "") << "\n  authority  " << u.value("authority", "")
            << "\n  status     " << u.value("status", "") << "\n";
  if (!u["due_for_revocation"].is_null()) {
    std::cout << "  DUE FOR REVOCATION in campaign " << Cell(u["due_for_revocation"]["campaign"]) << ": "
              << Cell(u["due_for_revocation"]["reason"]) << " (" << Cell(u["due_for_revocation"]["detail"]) << ")\n";
  }
  for (const auto& [c, t] : u["titles"].items()) {
    std::cout << "  title " << c << ": granted at seq " << Cell(t["granted_seq"]);
    if (!t.value("active", true)) std::cout << ", revoked at seq " << Cell(t["revoked_seq"]) << " (" << Cell(t["reason"]) << ")";
    std::cout << "\n";
  }
  for (const auto& [c, a] : u["applications"].items()) {
    std::cout << "  application " << c << ": " << Cell(a["state"]);
    if (u["eligibility"].contains(c)) std::cout << (u["eligibility"][c].value("eligible", false) ? ", eligible" : ", NOT eligible");
    std::cout << "\n";
    if (u["eligibility"].contains(c) && u["eligibility"][c].contains("failed")) {
      for (const Json& f : u["eligibility"][c]["failed"]) std::cout << "    failed " << Cell(f["id"]) << ": " << Cell(f["message"]) << "\n";
    }
  }
  for (const auto& [c, r] : u["reviews"].items()) std::cout << "  review " << c << ": " << Cell(r["state"]) << "\n";
}

// The unit's decisions, each read from the log as the reader may see it: type, date, seq, signers.
void PrintDecisions(client::LedgerClient& c, const Json& u) {
  const size_t n = u["history"].size();
  std::cout << "  decisions  " << Count(n, "entry", "entries") << " in the log (as of log size " << Cell(u["as_of"]) << ")\n";
  if (n == 0) return;
  std::vector<std::vector<std::string>> rows = {{"    SEQ", "TYPE", "DATE", "SIGNERS"}};
  for (const Json& h : u["history"]) {
    const uint64_t seq = h["seq"].get<uint64_t>();
    std::vector<std::string> row = {"    " + std::to_string(seq), Cell(h["type"]), "", ""};
    Result<Json> e = c.Entry(seq);
    if (!e.ok()) {
      row[2] = "(" + e.status().message() + ")";
    } else if (e->value("redacted", false)) {
      row[2] = "(redacted)";
    } else {
      row[2] = (*e)["event"].value("time", "").substr(0, 10);
      for (const Json& sig : (*e)["sigs"]) row[3] += (row[3].empty() ? "" : ", ") + Cell(sig["signer"]);
    }
    rows.push_back(row);
  }
  Table(rows);
}

int Status_(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl status: a unit's title status, applications and history");
  std::string unit;
  o.add_options()("unit", po::value(&unit)->required(), "the unit's credit code");
  po::variables_map vm;
  if (!Parse(args, o, {{"unit", 1}}, vm, "pilotctl status UNIT")) return kOk;
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<Json> u = (*c)->GetJson("/v1/units/" + Encode(unit));
  if (!u.ok()) return FailRead(g, u.status());
  if (g.json) {
    PrintJson(*u);
    return kOk;
  }
  PrintUnit(*u);
  PrintDecisions(**c, *u);
  return kOk;
}

int Units(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl units: list units, filtered");
  std::string authority, region, status, campaign, category, name, cursor;
  int limit = 100;
  o.add_options()("authority", po::value(&authority), "authority code or soe:<actor>")("region", po::value(&region), "region code")
      ("status", po::value(&status), "titled|revoked|submitted|recommended|published|rejected")
      ("campaign", po::value(&campaign), "campaign id")("category", po::value(&category), "enterprise|park|street|base")
      ("name", po::value(&name), "a part of the unit's name, e.g. 养老")
      ("limit", po::value(&limit), "at most this many (1-1000)")("cursor", po::value(&cursor), "continue after this unit id");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl units [filters]")) return kOk;
  std::string target = "/v1/units?limit=" + std::to_string(limit);
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"authority", authority}, {"region", region}, {"status", status}, {"campaign", campaign}, {"category", category}, {"name", name},
           {"cursor", cursor}}) {
    if (!v.empty()) target += "&" + k + "=" + Encode(v);
  }
  return Show(g, target, [](const Json& j) {
    std::vector<std::vector<std::string>> rows = {{"UNIT", "NAME", "CATEGORY", "AUTHORITY", "STATUS"}};
    for (const Json& u : j["units"]) rows.push_back({Cell(u["id"]), Cell(u["name"]), Cell(u["category"]), Cell(u["authority"]), Cell(u["status"])});
    if (j["units"].empty()) {
      std::cout << "no units match\n";
    } else {
      Table(rows);
    }
    if (!j["next_cursor"].is_null()) std::cout << "more: --cursor " << Cell(j["next_cursor"]) << "\n";
  });
}

int Quotas(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl quotas: quota usage per authority (needs --as a ministry, provincial, SOE group or auditor key)");
  std::string campaign, authority;
  o.add_options()("campaign", po::value(&campaign)->required(), "campaign id")
      ("authority", po::value(&authority), "only this authority (a region authority code or soe:<actor>)");
  po::variables_map vm;
  if (!Parse(args, o, {{"campaign", 1}}, vm, "pilotctl quotas CAMPAIGN [--authority A]")) return kOk;
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<Json> j = (*c)->GetJson("/v1/campaigns/" + Encode(campaign) + "/quotas");
  if (!j.ok()) return FailRead(g, j.status());
  if (!authority.empty()) {
    Json only = Json::array();
    for (const Json& a : (*j)["authorities"]) {
      if (a["authority"] == authority) only.push_back(a);
    }
    if (only.empty()) {
      return Fail("bad_request: no authority " + authority + " in the quotas of campaign " + campaign +
                  " (an authority is a 6-digit region authority code, e.g. 440300, or soe:<actor>; see pilotctl quotas " + campaign + ")");
    }
    (*j)["authorities"] = only;
  }
  if (g.json) {
    PrintJson(*j);
    return kOk;
  }
  bool review = false;
  std::string base_rule;
  for (const Json& a : (*j)["authorities"]) {
    review = review || a.contains("review");
    if (a.contains("review")) base_rule = a["review"].value("base_rule", "");
  }
  std::vector<std::string> header = {"AUTHORITY", "KIND", "ENTERPRISE", "STREET", "PARK", "BASE", "SOE TOTAL"};
  if (review) header.insert(header.end(), {"UNDER REVIEW", "REVIEW CAP", "RECOMMENDED"});
  std::vector<std::vector<std::string>> rows = {header};
  std::vector<std::string> notes;
  const auto used = [](const Json& places, const char* cat) -> std::string {
    if (!places.contains(cat)) return "";
    const Json& p = places[cat];
    std::string s = Cell(p["used"]) + "/" + Cell(p["limit"]);
    if (p.value("extra", 0) > 0) s += "+" + Cell(p["extra"]);
    return s;
  };
  for (const Json& a : (*j)["authorities"]) {
    std::vector<std::string> row = {Cell(a["authority"]), Cell(a["kind"]), used(a["places"], "enterprise"), used(a["places"], "street"),
                                    used(a["places"], "park"), used(a["places"], "base"), used(a["places"], "total")};
    if (review) {
      std::string under, cap, rec;
      if (a.contains("review")) {
        const Json& r = a["review"];
        under = Cell(r["base"]);
        if (r.value("revoked_since_request", 0) > 0) under += " (" + Cell(r["requested"]) + " requested, " + Cell(r["revoked_since_request"]) + " revoked)";
        cap = Cell(r["cap"]);
        if (r.value("extra", 0) > 0) cap += "+" + Cell(r["extra"]);
        rec = Cell(r["recommended"]);
        if (r.contains("note")) {
          rec += " *";
          notes.push_back("* " + Cell(a["authority"]) + ": " + Cell(r["note"]));
        }
      }
      row.insert(row.end(), {under, cap, rec});
    }
    rows.push_back(row);
  }
  Table(rows);
  std::cout << "Places: used/limit (+extra granted by quota exceptions).\n";
  if (review) {
    if (base_rule == "listed") {
      std::cout << "Review: UNDER REVIEW is the base, the units on the review list (review.base listed); REVIEW CAP is the cap\n"
                   "percentage of that base, rounded down (+extra by exception); RECOMMENDED counts every recommendation made.\n"
                   "A recommendation is admitted only while RECOMMENDED < cap+extra.\n";
    } else {
      std::cout << "Review: UNDER REVIEW is the base, the titles under review still active; REVIEW CAP is the cap percentage of\n"
                   "that base, rounded down (+extra by exception); RECOMMENDED counts every recommendation made. A recommendation\n"
                   "is admitted only while RECOMMENDED < cap+extra; revocations later shrink the base, never the count.\n";
    }
  }
  for (const std::string& n : notes) std::cout << n << "\n";
  std::cout << "As of log size " << Cell((*j)["as_of"]) << "\n";
  return kOk;
}

int Entries(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl entries: list log entries");
  uint64_t from = 0, limit = 50;
  std::string types;
  o.add_options()("from", po::value(&from), "first seq")("limit", po::value(&limit), "at most this many (1-1000)")
      ("types", po::value(&types), "only these event types, comma-separated (e.g. title.revoked,title.granted)");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl entries [--from N] [--limit K] [--types T1,T2]")) return kOk;
  if (limit == 0 || limit > 1000) return Fail("bad_request: --limit must be 1-1000");
  std::set<std::string> wanted;
  for (size_t start = 0; !types.empty() && start <= types.size();) {
    const size_t comma = std::min(types.find(',', start), types.size());
    const std::string t = types.substr(start, comma - start);
    if (!FindEventType(t)) return Fail("bad_request: unknown event type \"" + t + "\" in --types (e.g. title.revoked; see docs/protocol.md)");
    wanted.insert(t);
    start = comma + 1;
  }
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  // Pages through the log until `limit` entries of the wanted types are found or the log ends.
  Json entries = Json::array();
  uint64_t next = from;
  bool more = false;
  while (!more) {
    const uint64_t page_size = wanted.empty() ? std::min<uint64_t>(1000, limit - entries.size() + 1) : 1000;
    Result<Json> page = (*c)->Entries(next, page_size);
    if (!page.ok()) return FailRead(g, page.status());
    const Json& list = (*page)["entries"];
    if (list.empty()) break;
    for (const Json& e : list) {
      const std::string type = e.value("redacted", false) ? Cell(e["type"]) : Cell(e["event"]["type"]);
      if (wanted.empty() || wanted.count(type)) {
        if (entries.size() == limit) {
          more = true;  // one more exists after the page shown
          break;
        }
        entries.push_back(e);
      }
      next = e["seq"].get<uint64_t>() + 1;
    }
  }
  if (g.json) {
    PrintJson({{"entries", entries}, {"next", next}});
    return kOk;
  }
  std::vector<std::vector<std::string>> rows = {{"SEQ", "TYPE", "ID", "SIGNERS", "RECEIVED"}};
  for (const Json& e : entries) {
    if (e.value("redacted", false)) {
      rows.push_back({Cell(e["seq"]), Cell(e["type"]), "(redacted)", "", ""});
      continue;
    }
    std::string signers;
    for (const Json& s : e["sigs"]) signers += (signers.empty() ? "" : ",") + Cell(s["signer"]);
    rows.push_back({Cell(e["seq"]), Cell(e["event"]["type"]), Cell(e["event"]["id"]), signers, Cell(e["received"])});
  }
  if (entries.empty()) {
    std::cout << "no entries" << (wanted.empty() ? "" : " of these types") << " from seq " << from << "\n";
  } else {
    Table(rows);
  }
  if (more) std::cout << "more: --from " << next << "\n";
  return kOk;
}

int CheckpointCmd(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl checkpoint: the latest signed checkpoint");
  std::string ledger_key;
  o.add_options()("ledger-key", po::value(&ledger_key), "verify it with this verifier key");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl checkpoint [--ledger-key KEY]")) return kOk;
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<std::string> note = (*c)->SignedCheckpoint();
  if (!note.ok()) return Fail(note.status());
  if (ledger_key.empty()) {
    std::cout << *note;
    return kOk;
  }
  Result<note::Verifier> v = note::ParseVerifierKey(ledger_key);
  if (!v.ok()) return Fail(v.status());
  Result<Checkpoint> cp = VerifyCheckpoint(*note, *v);
  if (!cp.ok()) return Fail("the checkpoint does not verify: " + cp.status().message());
  if (g.json) {
    PrintJson({{"origin", cp->origin}, {"size", cp->size}, {"root", HashBase64(cp->root)}, {"verified", true}});
  } else {
    std::cout << *note << "verified: " << cp->origin << ", " << Count(cp->size, "entry", "entries") << ", root " << HashBase64(cp->root) << "\n";
  }
  return kOk;
}

std::string Join(const Json& list, const char* sep = ", ") {
  std::string out;
  for (const Json& v : list) out += (out.empty() ? "" : sep) + Cell(v);
  return out;
}

// One campaign's summary and rules as text; --json gives the whole rule file.
void PrintCampaign(const Json& c) {
  const Json& r = c["rules"];
  std::vector<std::vector<std::string>> rows = {
      {"campaign", Cell(c["campaign"])},
      {"title", Cell(c["title"])},
      {"document", r.contains("document") ? Cell(r["document"]) : "-"},
      {"deadline", Cell(c["deadline"])},
      {"historical", Cell(c["historical"])},
      {"provisional", Cell(c["provisional"])},
      {"opened at seq", Cell(c["opened_seq"])},
      {"rules from seq", Cell(c["rules_seq"]) + (c["amended_seqs"].empty() ? "" : " (amended at " + Join(c["amended_seqs"]) + ")")},
      {"publications", c["publications"].empty() ? "none" : Join(c["publications"])},
      {"categories", r.contains("categories") ? Join(r["categories"]) : "-"},
      {"authorities", r.contains("authority_kinds") ? std::to_string(r["authority_kinds"].size()) : "-"},
  };
  if (r.contains("review") && r["review"].is_object()) {
    rows.push_back({"review", "titles of " + Join(r["review"]["batches"]) + "; cap " +
                                  std::to_string(r["review"].value("cap_bp", 0) / 100) + "% of the titles under review, rounded down"});
  }
  Table(rows);
  if (r.contains("quotas") && r["quotas"].is_object() && !r["quotas"].empty()) {
    std::cout << "\nquotas per authority kind:\n";
    std::vector<std::vector<std::string>> q = {{"  KIND", "PLACES"}};
    for (const auto& [kind, places] : r["quotas"].items()) {
      std::string p;
      if (!places.is_object()) continue;
      for (const auto& [cat, n] : places.items()) p += (p.empty() ? "" : ", ") + cat + " " + Cell(n);
      q.push_back({"  " + kind, p});
    }
    Table(q);
  }
  if (r.contains("eligibility") && r["eligibility"].is_object()) {
    size_t n = 0;
    for (const auto& [group, list] : r["eligibility"].items()) n += list.size();
    std::cout << "\neligibility: " << n << " criteria in " << r["eligibility"].size() << " groups (pilotctl --json campaigns "
              << Cell(c["campaign"]) << " shows the whole rule file)\n";
  }
  std::cout << "as of log size " << Cell(c["as_of"]) << "\n";
}

int Campaigns(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl campaigns: the campaigns and their rules");
  std::string campaign;
  o.add_options()("campaign", po::value(&campaign), "show this campaign's rules");
  po::variables_map vm;
  if (!Parse(args, o, {{"campaign", 1}}, vm, "pilotctl campaigns [CAMPAIGN]")) return kOk;
  if (!campaign.empty()) return Show(g, "/v1/campaigns/" + Encode(campaign), PrintCampaign);
  return Show(g, "/v1/campaigns", [](const Json& j) {
    std::vector<std::vector<std::string>> rows = {{"CAMPAIGN", "TITLE", "DEADLINE", "HISTORICAL", "PROVISIONAL", "REVIEW", "RULES SEQ"}};
    for (const Json& c : j["campaigns"]) {
      rows.push_back({Cell(c["campaign"]), Cell(c["title"]), Cell(c["deadline"]), Cell(c["historical"]), Cell(c["provisional"]),
                      Cell(c["review"]), Cell(c["rules_seq"])});
    }
    Table(rows);
  });
}

int Actors(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl actors: registered actors");
  std::string actor;
  o.add_options()("actor", po::value(&actor), "show one actor");
  po::variables_map vm;
  if (!Parse(args, o, {{"actor", 1}}, vm, "pilotctl actors [ACTOR]")) return kOk;
  if (!actor.empty()) return Show(g, "/v1/actors/" + Encode(actor), PrintJson);
  return Show(g, "/v1/actors", [](const Json& j) {
    std::vector<std::vector<std::string>> rows = {{"ACTOR", "ROLE", "DEPARTMENT", "REGION/UNIT", "NAME", "ACTIVE"}};
    for (const Json& a : j["actors"]) {
      rows.push_back({Cell(a["actor"]), Cell(a["role"]), a.contains("department") ? Cell(a["department"]) : "",
                      a.contains("region") ? Cell(a["region"]) : (a.contains("unit") ? Cell(a["unit"]) : ""), Cell(a["name"]),
                      Cell(a["active"])});
    }
    Table(rows);
  });
}

}  // namespace

void AddQueryCommands(std::vector<Command>& commands) {
  commands.push_back({"status", "a unit's status, titles, applications and decisions (type, date, seq, signers)", Status_});
  commands.push_back({"units", "list units (filters: authority, region, status, campaign, category, name)", Units});
  commands.push_back({"quotas", "quota usage of a campaign, per authority, the review cap explained", Quotas});
  commands.push_back({"entries", "list log entries (--types to pick some)", Entries});
  commands.push_back({"checkpoint", "the latest signed checkpoint (verified with --ledger-key)", CheckpointCmd});
  commands.push_back({"campaigns", "the campaigns, or one campaign's rules", Campaigns});
  commands.push_back({"actors", "the registered actors, or one actor", Actors});
}

}  // namespace pilotledger::cli
