// Queries: status, units, quotas, entries, checkpoint, campaigns, actors.
#include <iomanip>

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
  if (!j.ok()) return Fail(j.status());
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
  std::cout << "  history    " << u["history"].size() << " entries; as of log size " << Cell(u["as_of"]) << "\n";
}

int Status_(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl status: a unit's title status, applications and history");
  std::string unit;
  o.add_options()("unit", po::value(&unit)->required(), "the unit's credit code");
  po::variables_map vm;
  if (!Parse(args, o, {{"unit", 1}}, vm, "pilotctl status UNIT")) return kOk;
  return Show(g, "/v1/units/" + Encode(unit), PrintUnit);
}

int Units(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl units: list units, filtered");
  std::string authority, region, status, campaign, category, cursor;
  int limit = 100;
  o.add_options()("authority", po::value(&authority), "authority code or soe:<actor>")("region", po::value(&region), "region code")
      ("status", po::value(&status), "titled|revoked|submitted|recommended|published|rejected")
      ("campaign", po::value(&campaign), "campaign id")("category", po::value(&category), "enterprise|park|street|base")
      ("limit", po::value(&limit), "at most this many (1-1000)")("cursor", po::value(&cursor), "continue after this unit id");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl units [filters]")) return kOk;
  std::string target = "/v1/units?limit=" + std::to_string(limit);
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"authority", authority}, {"region", region}, {"status", status}, {"campaign", campaign}, {"category", category}, {"cursor", cursor}}) {
    if (!v.empty()) target += "&" + k + "=" + Encode(v);
  }
  return Show(g, target, [](const Json& j) {
    std::vector<std::vector<std::string>> rows = {{"UNIT", "NAME", "CATEGORY", "AUTHORITY", "STATUS"}};
    for (const Json& u : j["units"]) rows.push_back({Cell(u["id"]), Cell(u["name"]), Cell(u["category"]), Cell(u["authority"]), Cell(u["status"])});
    Table(rows);
    if (!j["next_cursor"].is_null()) std::cout << "more: --cursor " << Cell(j["next_cursor"]) << "\n";
  });
}

int Quotas(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl quotas: quota usage per authority (needs --as a ministry, provincial, SOE group or auditor key)");
  std::string campaign;
  o.add_options()("campaign", po::value(&campaign)->required(), "campaign id");
  po::variables_map vm;
  if (!Parse(args, o, {{"campaign", 1}}, vm, "pilotctl quotas CAMPAIGN")) return kOk;
  return Show(g, "/v1/campaigns/" + Encode(campaign) + "/quotas", [](const Json& j) {
    std::vector<std::vector<std::string>> rows = {{"AUTHORITY", "KIND", "ENTERPRISE", "STREET", "PARK", "BASE", "SOE TOTAL", "REVIEW"}};
    const auto used = [](const Json& places, const char* c) -> std::string {
      if (!places.contains(c)) return "";
      const Json& p = places[c];
      std::string s = Cell(p["used"]) + "/" + Cell(p["limit"]);
      if (p.value("extra", 0) > 0) s += "+" + Cell(p["extra"]);
      return s;
    };
    for (const Json& a : j["authorities"]) {
      std::string review;
      if (a.contains("review")) {
        review = Cell(a["review"]["recommended"]) + "/" + Cell(a["review"]["cap"]) + " of " + Cell(a["review"]["base"]);
        if (a["review"].value("extra", 0) > 0) review += " +" + Cell(a["review"]["extra"]);
      }
      rows.push_back({Cell(a["authority"]), Cell(a["kind"]), used(a["places"], "enterprise"), used(a["places"], "street"),
                      used(a["places"], "park"), used(a["places"], "base"), used(a["places"], "total"), review});
    }
    Table(rows);
    std::cout << "used/limit(+extra by exception); review: recommended/cap of base. As of log size " << Cell(j["as_of"]) << "\n";
  });
}

int Entries(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl entries: list log entries");
  uint64_t from = 0, limit = 50;
  o.add_options()("from", po::value(&from), "first seq")("limit", po::value(&limit), "at most this many (1-1000)");
  po::variables_map vm;
  if (!Parse(args, o, {}, vm, "pilotctl entries [--from N] [--limit K]")) return kOk;
  return Show(g, "/v1/entries?from=" + std::to_string(from) + "&limit=" + std::to_string(limit), [](const Json& j) {
    std::vector<std::vector<std::string>> rows = {{"SEQ", "TYPE", "ID", "SIGNERS", "RECEIVED"}};
    for (const Json& e : j["entries"]) {
      if (e.value("redacted", false)) {
        rows.push_back({Cell(e["seq"]), Cell(e["type"]), "(redacted)", "", ""});
        continue;
      }
      std::string signers;
      for (const Json& s : e["sigs"]) signers += (signers.empty() ? "" : ",") + Cell(s["signer"]);
      rows.push_back({Cell(e["seq"]), Cell(e["event"]["type"]), Cell(e["event"]["id"]), signers, Cell(e["received"])});
    }
    Table(rows);
  });
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
    std::cout << *note << "verified: " << cp->origin << ", " << cp->size << " entries, root " << HashBase64(cp->root) << "\n";
  }
  return kOk;
}

int Campaigns(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl campaigns: the campaigns and their rules");
  std::string campaign;
  o.add_options()("campaign", po::value(&campaign), "show this campaign's rules");
  po::variables_map vm;
  if (!Parse(args, o, {{"campaign", 1}}, vm, "pilotctl campaigns [CAMPAIGN]")) return kOk;
  if (!campaign.empty()) return Show(g, "/v1/campaigns/" + Encode(campaign), PrintJson);
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
  commands.push_back({"status", "a unit's status, titles, applications and history", Status_});
  commands.push_back({"units", "list units (filters: authority, region, status, campaign, category)", Units});
  commands.push_back({"quotas", "quota usage of a campaign, per authority", Quotas});
  commands.push_back({"entries", "list log entries", Entries});
  commands.push_back({"checkpoint", "the latest signed checkpoint (verified with --ledger-key)", CheckpointCmd});
  commands.push_back({"campaigns", "the campaigns, or one campaign's rules", Campaigns});
  commands.push_back({"actors", "the registered actors, or one actor", Actors});
}

}  // namespace pilotledger::cli
