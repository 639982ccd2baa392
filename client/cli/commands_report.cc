// pilotctl report: a table as XLSX or CSV (GET /v1/campaigns/{c}/reports/{name}). Its way back,
// import-table, is in commands_import_table.cc.
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "client/cli/cli.h"

namespace pilotledger::cli {
namespace {

std::string Encode(const std::string& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int ReportCmd(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl report: a table of a campaign as XLSX or CSV, stamped with its checkpoint");
  std::string name, campaign, authority, format, lang = "zh", out;
  o.add_options()("name", po::value(&name)->required(), "review-list, summary, publicity, granted, revoked or quotas")
      ("campaign", po::value(&campaign)->required(), "the campaign")
      ("authority", po::value(&authority), "only this authority's units (a 6-digit code or soe:<actor>)")
      ("format", po::value(&format), "xlsx or csv (default: from --out's extension, else xlsx)")
      ("lang", po::value(&lang), "zh (the forms' headings, default) or en")
      ("out", po::value(&out)->required(), "the file to write ('-' for stdout)");
  po::variables_map vm;
  if (!Parse(args, o, {{"name", 1}}, vm, "pilotctl report NAME --campaign C [--authority A] [--format xlsx|csv] [--lang zh|en] --out FILE")) {
    return kOk;
  }
  if (format.empty()) format = EndsWith(out, ".csv") ? "csv" : "xlsx";
  std::string target = "/v1/campaigns/" + Encode(campaign) + "/reports/" + Encode(name) + "?format=" + Encode(format) + "&lang=" + Encode(lang);
  if (!authority.empty()) target += "&authority=" + Encode(authority);
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  Result<client::HttpResult> r = (*c)->Raw("GET", target);
  if (!r.ok()) return Fail(r.status());
  if (r->status != 200) return FailRead(g, client::StatusFromError(*r));
  if (Status s = WriteOutput(out, r->body); !s.ok()) return Fail(s);
  if (out != "-") std::cerr << "wrote the " << name << " report of " << campaign << " (" << format << ", " << r->body.size() << " bytes) to " << out << "\n";
  return kOk;
}

}  // namespace

void AddReportCommands(std::vector<Command>& commands) {
  commands.push_back({"report", "a campaign's table (review-list, summary, publicity, granted, revoked, quotas) as XLSX or CSV", ReportCmd});
}

}  // namespace pilotledger::cli
