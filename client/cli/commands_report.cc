// pilotctl report: a table as XLSX or CSV (GET /v1/campaigns/{c}/reports/{name}); pilotctl
// import-table: a province's filled-in table turned into unsigned events, one per row, each checked
// by the ledger's own rules (POST /v1/check) before anyone signs it.
#include <sys/stat.h>

#include <set>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "client/cli/cli.h"
#include "client/table_reader.h"
#include "projections/vocabulary.h"

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

constexpr const char* kCodeHeadings[] = {"统一社会信用代码", "credit_code"};

// The header row's column of the credit code, or -1.
int CodeColumn(const client::TableRow& row) {
  for (size_t i = 0; i < row.cells.size(); ++i) {
    for (const char* h : kCodeHeadings) {
      if (row.cells[i] == h) return int(i);
    }
  }
  return -1;
}

// Every metric name of the vocabulary (a review form's figures, DOMAIN.md's table).
std::set<std::string> MetricNames() {
  std::set<std::string> names;
  for (std::string_view category : projections::kCategories) {
    for (std::string_view subtype : projections::kSubtypes) {
      for (const projections::MetricInfo& m : projections::MetricsFor(category, category == "enterprise" ? subtype : "")) names.emplace(m.name);
    }
  }
  return names;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  return s;
}

int ImportTable(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl import-table: unsigned events from a filled-in table, one per row, checked by the ledger's rules");
  std::string file, type, campaign, out;
  std::vector<std::string> documents;
  o.add_options()("file", po::value(&file)->required(), "the table: .xlsx or .csv, with a 统一社会信用代码 (credit_code) column")
      ("type", po::value(&type)->required(), "recommendation (recommendation.issued) or review-request (review.requested)")
      ("campaign", po::value(&campaign)->required(), "the campaign")
      ("out", po::value(&out)->required(), "the directory for the event files, one per row (LINE-CODE.json)")
      ("document", po::value(&documents)->composing(), "cite this file in every row's event: NAME=FILE or FILE (hashed; the file stays here); repeat");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl import-table FILE.xlsx|csv --type recommendation|review-request --campaign C --out DIR")) {
    return kOk;
  }
  std::string event_type;
  if (type == "recommendation") event_type = "recommendation.issued";
  if (type == "review-request") event_type = "review.requested";
  if (event_type.empty()) return Fail("--type must be recommendation or review-request, not " + type);
  if (g.reader.empty()) return Fail("import-table checks each row with the ledger (POST /v1/check): pass --as KEYFILE of your department");
  Result<std::vector<client::Sheet>> sheets = client::ReadTable(file);
  if (!sheets.ok()) return Fail(sheets.status());
  // The first sheet whose first row names the credit-code column (a report's checkpoint sheet has none).
  const client::Sheet* sheet = nullptr;
  int code_col = -1;
  for (const client::Sheet& s : *sheets) {
    for (const client::TableRow& row : s.rows) {
      if (!row.cells.empty() && row.cells[0].rfind("#", 0) == 0) continue;  // a CSV report's comment lines
      if ((code_col = CodeColumn(row)) >= 0) sheet = &s;
      break;
    }
    if (sheet) break;
  }
  if (!sheet) return Fail(file + ": no sheet has a heading row with a 统一社会信用代码 (credit_code) column");
  std::vector<std::pair<size_t, SignedEvent>> events;  // line, event
  SystemClock clock;
  const Timestamp now = clock.Now();
  bool header_seen = false;
  size_t bad = 0;
  // A review request carries the review form (复核申请表): a column per metric, named as the API
  // names it, and 典型应用场景 (scenarios), codes separated by commas, 、 or spaces.
  std::vector<std::pair<size_t, std::string>> metric_cols;
  int scenario_col = -1;
  const std::set<std::string> metric_names = MetricNames();
  for (const client::TableRow& row : sheet->rows) {
    if (!header_seen) {
      header_seen = CodeColumn(row) >= 0;
      for (size_t i = 0; header_seen && i < row.cells.size(); ++i) {
        const std::string h = Trim(row.cells[i]);
        if (metric_names.count(h)) metric_cols.emplace_back(i, h);
        if (h == "scenarios" || h == "典型应用场景") scenario_col = int(i);
      }
      continue;
    }
    const std::string code = size_t(code_col) < row.cells.size() ? Trim(row.cells[size_t(code_col)]) : "";
    Json body = {{"campaign", campaign}, {"unit_id", code}};
    if (type == "review-request") {
      Json metrics = Json::object();
      std::string problem;
      for (const auto& [col, metric] : metric_cols) {
        const std::string v = col < row.cells.size() ? Trim(row.cells[col]) : "";
        if (v.empty()) continue;
        if (v == "true" || v == "是") {
          metrics[metric] = true;
        } else if (v == "false" || v == "否") {
          metrics[metric] = false;
        } else if (Result<Json> n = ParseStrictJson(v); n.ok() && n->is_number_integer()) {
          metrics[metric] = *n;
        } else {
          problem = "field metrics." + metric + ": \"" + v + "\" is not an integer or 是/否 (true/false)";
        }
      }
      std::vector<std::string> scenarios;
      std::string text = scenario_col >= 0 && size_t(scenario_col) < row.cells.size() ? row.cells[size_t(scenario_col)] : "";
      for (size_t p; (p = text.find("、")) != std::string::npos;) text.replace(p, 3, ",");
      std::string item;
      for (char ch : text + ",") {
        if (ch == ',' || ch == ' ' || ch == ';' || ch == '\n') {
          if (!item.empty()) scenarios.push_back(item);
          item.clear();
        } else {
          item += ch;
        }
      }
      if (!problem.empty()) {
        std::cerr << file << ":" << row.line << ": " << problem << "\n";
        ++bad;
        continue;
      }
      body["metrics"] = metrics;
      body["scenarios"] = scenarios;
    }
    if (!documents.empty()) {
      body["documents"] = Json::array();
      for (const std::string& spec : documents) {
        Result<Json> cite = DocumentCitation(spec);
        if (!cite.ok()) return Fail(cite.status().message());
        body["documents"].push_back(*cite);
      }
    }
    // The id names the row's unit when the code is plain (a wrong code is reported by the check).
    const bool plain = !code.empty() && code.size() <= 18 && code.find_first_not_of("0123456789ABCDEFGHJKLMNPQRTUWXY") == std::string::npos;
    Result<SignedEvent> e = MakeEvent("table-" + campaign + "-" + type + "-" + (plain ? code : "line" + std::to_string(row.line)), event_type,
                                      now, std::move(body));
    if (!e.ok()) {
      std::cerr << file << ":" << row.line << ": " << e.status().message() << "\n";
      ++bad;
      continue;
    }
    events.emplace_back(row.line, std::move(*e));
  }
  if (events.empty() && bad == 0) return Fail(file + ": the table has no rows under its heading row");
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  std::vector<std::pair<size_t, const SignedEvent*>> good;
  for (size_t i = 0; i < events.size(); i += 1000) {
    Json batch = Json::array();
    for (size_t k = i; k < std::min(events.size(), i + 1000); ++k) batch.push_back(SubmissionJson(events[k].second));
    Result<client::HttpResult> r = (*c)->Raw("POST", "/v1/check", WriteCanonical({{"events", batch}}));
    if (!r.ok()) return Fail(r.status());
    if (r->status != 200) return FailRead(g, client::StatusFromError(*r));
    Result<Json> answer = ParseStrictJson(r->body);
    if (!answer.ok()) return Fail(answer.status());
    const Json& results = (*answer)["results"];
    for (size_t k = 0; k < results.size(); ++k) {
      const auto& [line, event] = events[i + k];
      if (results[k]["ok"] == true) {
        good.emplace_back(line, &event);
        continue;
      }
      const Json& err = results[k]["error"];
      const Json details = err.value("details", Json::object());
      const std::string rule = details.is_object() && details.contains("rule")    ? details["rule"].get<std::string>()
                               : details.is_object() && details.contains("field") ? "field " + details["field"].get<std::string>()
                                                                                   : err.value("code", "");
      std::cerr << file << ":" << line << ": " << rule << ": " << err.value("message", "") << "\n";
      ++bad;
    }
  }
  if (bad > 0) return Fail(std::to_string(bad) + " bad row(s) of " + std::to_string(bad + good.size()) + "; no event written (fix them and run again)");
  ::mkdir(out.c_str(), 0700);
  for (const auto& [line, event] : good) {
    const std::string path = out + "/" + std::to_string(line) + "-" + event->id + ".json";
    if (Status s = WriteOutput(path, SubmissionJson(*event).dump(2, ' ', false) + "\n"); !s.ok()) return Fail(s);
  }
  std::cout << "wrote " << Count(good.size(), "unsigned " + event_type + " event", "unsigned " + event_type + " events") << " to " << out
            << "/ (sign each with pilotctl sign FILE --key K, then pilotctl append FILE)\n";
  return kOk;
}

}  // namespace

void AddReportCommands(std::vector<Command>& commands) {
  commands.push_back({"report", "a campaign's table (review-list, summary, publicity, granted, revoked, quotas) as XLSX or CSV", ReportCmd});
  commands.push_back({"import-table", "unsigned events from a filled-in table, each row checked by the ledger's rules", ImportTable});
}

}  // namespace pilotledger::cli
