// pilotctl import-table: a province's filled-in table turned into unsigned events, one per row,
// each checked by the ledger's own rules (POST /v1/check) before anyone signs it. A row carries
// what the campaign's rules require of its event: the review form's figures, the documents the
// decision rests on (hashed here; the files stay here) and, for a recommendation, the authority's
// checks. docs/api.md ("pilotctl import-table") lists the columns.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "client/cli/cli.h"
#include "client/table_reader.h"
#include "projections/vocabulary.h"

namespace pilotledger::cli {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  return s;
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

// The forms' Chinese for the check methods, as the check columns are headed (材料审核日期, …).
const std::map<std::string, std::string>& CheckLabels() {
  static const std::map<std::string, std::string> labels = {{"material_review", "材料审核"}, {"site_visit", "现场调研"}};
  return labels;
}

// What the heading row says each column holds; the other columns are for the people who fill it in.
struct Heading {
  int code = -1;
  std::vector<std::pair<size_t, std::string>> metrics;    // column, metric
  int scenarios = -1;
  std::vector<std::pair<size_t, std::string>> documents;  // column, document name
  std::map<std::string, std::pair<int, int>> checks;      // method -> date column, note column
};

std::optional<Heading> ReadHeading(const client::TableRow& row, const std::set<std::string>& metric_names) {
  Heading h;
  for (size_t i = 0; i < row.cells.size(); ++i) {
    const std::string c = Trim(row.cells[i]);
    if (c == "统一社会信用代码" || c == "credit_code") h.code = int(i);
    if (metric_names.count(c)) h.metrics.emplace_back(i, c);
    if (c == "scenarios" || c == "典型应用场景") h.scenarios = int(i);
    for (const char* prefix : {"文件：", "文件:", "document:"}) {
      if (c.rfind(prefix, 0) == 0 && c.size() > std::string(prefix).size()) h.documents.emplace_back(i, Trim(c.substr(std::string(prefix).size())));
    }
    for (const auto& [method, zh] : CheckLabels()) {
      if (c == zh + "日期" || c == method + ".date") h.checks.try_emplace(method, -1, -1).first->second.first = int(i);
      if (c == zh + "说明" || c == method + ".note") h.checks.try_emplace(method, -1, -1).first->second.second = int(i);
    }
  }
  if (h.code < 0) return std::nullopt;
  return h;
}

// A row's problem, reported as FILE:LINE: RULE: message.
struct Problem {
  std::string rule, message;
};

std::string Ymd(int64_t y, int64_t m, int64_t d) {
  char out[64];
  std::snprintf(out, sizeof out, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d));
  return out;
}

// YYYY-MM-DD from a date as people write it (2025-12-01, 2025/12/1, 2025.12.01) or as a
// spreadsheet stores it (days since 1899-12-30: the reader takes numbers as written, styles aside).
std::optional<std::string> CalendarDate(const std::string& v) {
  if (!v.empty() && v.find_first_not_of("0123456789.") == std::string::npos && v.find('.') == v.rfind('.') && v.size() <= 9) {
    int64_t z = std::stoll(v.substr(0, v.find('.'))) - 25569 + 719468;  // days since 0000-03-01 (H. Hinnant's civil_from_days)
    const int64_t era = z / 146097, doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    return Ymd(y, m, d);
  }
  int parts[3] = {0, 0, 0}, n = 0, digits = 0;
  for (const char ch : v + "-") {
    if (ch >= '0' && ch <= '9' && digits < 4) {
      parts[n] = parts[n] * 10 + (ch - '0');
      ++digits;
    } else if ((ch == '-' || ch == '/' || ch == '.') && digits > 0 && n < 3) {
      ++n;
      digits = 0;
    } else {
      return std::nullopt;
    }
  }
  if (n != 3 || parts[0] < 1000 || parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31) return std::nullopt;
  return Ymd(parts[0], parts[1], parts[2]);
}

struct TableWide {
  std::vector<Json> documents;       // --document
  std::map<std::string, Json> checks;  // --check, by method
};

// The body of one row's event, or its problem.
std::variant<Json, Problem> RowBody(const std::string& type, const std::string& campaign, const Heading& h, const client::TableRow& row,
                                    const std::filesystem::path& dir, const TableWide& wide) {
  const auto cell = [&row](int col) { return col >= 0 && size_t(col) < row.cells.size() ? Trim(row.cells[size_t(col)]) : std::string(); };
  Json body = {{"campaign", campaign}, {"unit_id", cell(h.code)}};
  if (type == "review-request") {
    // The review form (复核申请表): a column per figure, named as the API names it, and 典型应用场景.
    Json metrics = Json::object();
    for (const auto& [col, metric] : h.metrics) {
      const std::string v = cell(int(col));
      if (v.empty()) continue;
      if (v == "true" || v == "是") {
        metrics[metric] = true;
      } else if (v == "false" || v == "否") {
        metrics[metric] = false;
      } else if (Result<Json> n = ParseStrictJson(v); n.ok() && n->is_number_integer()) {
        metrics[metric] = *n;
      } else {
        return Problem{"field metrics." + metric, "\"" + v + "\" is not an integer or 是/否 (true/false)"};
      }
    }
    std::vector<std::string> scenarios;
    std::string text = h.scenarios >= 0 && size_t(h.scenarios) < row.cells.size() ? row.cells[size_t(h.scenarios)] : "";
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
    body["metrics"] = metrics;
    body["scenarios"] = scenarios;
  }
  if (type == "recommendation") {
    // How the authority checked the unit: a check per method whose date is filled in, else --check's.
    std::map<std::string, Json> checks = wide.checks;
    for (const auto& [method, cols] : h.checks) {
      const std::string date = cell(cols.first), note = cell(cols.second), zh = CheckLabels().at(method);
      if (date.empty() && note.empty()) continue;
      if (date.empty()) return Problem{"field checks." + method + ".date", "the " + method + " check has a note but no date (" + zh + "日期)"};
      if (note.empty()) return Problem{"field checks." + method + ".note", "the " + method + " check needs a note (" + zh + "说明)"};
      const std::optional<std::string> day = CalendarDate(date);
      if (!day) return Problem{"field checks." + method + ".date", "\"" + date + "\" is not a date YYYY-MM-DD (" + zh + "日期)"};
      checks[method] = {{"method", method}, {"date", *day}, {"note", note}};
    }
    if (!checks.empty()) {
      body["checks"] = Json::array();
      for (const std::string_view method : projections::kCheckMethods) {
        if (const auto it = checks.find(std::string(method)); it != checks.end()) body["checks"].push_back(it->second);
      }
      for (const auto& [method, check] : checks) {
        if (!projections::OneOf(method, projections::kCheckMethods)) body["checks"].push_back(check);  // the ledger names the bad method
      }
    }
  }
  // The documents: --document's for every row, a row's own file (文件：NAME, relative to the table) replacing one of the same name.
  std::vector<Json> documents = wide.documents;
  for (const auto& [col, name] : h.documents) {
    const std::string v = cell(int(col));
    if (v.empty()) continue;
    const std::filesystem::path p(v);
    Result<Json> cite = DocumentCitation(name + "=" + (p.is_absolute() ? p : dir / p).string());
    if (!cite.ok()) return Problem{"field documents." + name, cite.status().message()};
    std::erase_if(documents, [&name](const Json& d) { return d["name"] == name; });
    documents.push_back(*cite);
  }
  if (!documents.empty()) body["documents"] = documents;
  return body;
}

int ImportTable(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl import-table: unsigned events from a filled-in table, one per row, checked by the ledger's rules");
  std::string file, type, campaign, out;
  std::vector<std::string> documents, checks;
  o.add_options()("file", po::value(&file)->required(), "the table: .xlsx or .csv, with a 统一社会信用代码 (credit_code) column")
      ("type", po::value(&type)->required(), "recommendation (recommendation.issued) or review-request (review.requested)")
      ("campaign", po::value(&campaign)->required(), "the campaign")
      ("out", po::value(&out)->required(), "the directory for the event files, one per row (LINE-ID.json)")
      ("document", po::value(&documents)->composing(), "cite this file in every row's event: NAME=FILE or FILE (hashed; the file stays here); repeat")
      ("check", po::value(&checks)->composing(), "a recommendation's check for every row without its own: METHOD:YYYY-MM-DD:NOTE; repeat");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl import-table FILE.xlsx|csv --type recommendation|review-request --campaign C --out DIR")) {
    return kOk;
  }
  std::string event_type;
  if (type == "recommendation") event_type = "recommendation.issued";
  if (type == "review-request") event_type = "review.requested";
  if (event_type.empty()) return Fail("--type must be recommendation or review-request, not " + type);
  if (!checks.empty() && type != "recommendation") return Fail("--check is for recommendations (a review request records no checks)");
  if (g.reader.empty()) return Fail("import-table checks each row with the ledger (POST /v1/check): pass --as KEYFILE of your department");
  TableWide wide;
  for (const std::string& spec : documents) {
    Result<Json> cite = DocumentCitation(spec);
    if (!cite.ok()) return Fail(cite.status().message());
    wide.documents.push_back(*cite);
  }
  Result<Json> check_list = CheckRecords(checks);
  if (!check_list.ok()) return Fail(check_list.status());
  for (const Json& c : *check_list) wide.checks[c["method"]] = c;
  Result<std::vector<client::Sheet>> sheets = client::ReadTable(file);
  if (!sheets.ok()) return Fail(sheets.status());
  // The first sheet whose first row names the credit-code column (a report's checkpoint sheet has none).
  const std::set<std::string> metric_names = MetricNames();
  const client::Sheet* sheet = nullptr;
  std::optional<Heading> heading;
  for (const client::Sheet& s : *sheets) {
    for (const client::TableRow& row : s.rows) {
      if (!row.cells.empty() && row.cells[0].rfind("#", 0) == 0) continue;  // a CSV report's comment lines
      if ((heading = ReadHeading(row, metric_names))) sheet = &s;
      break;
    }
    if (sheet) break;
  }
  if (!sheet) return Fail(file + ": no sheet has a heading row with a 统一社会信用代码 (credit_code) column");
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  std::vector<std::pair<size_t, SignedEvent>> events;  // line, event
  SystemClock clock;
  const Timestamp now = clock.Now();
  bool header_seen = false;
  std::vector<std::pair<size_t, std::string>> problems;  // line, "RULE: message": reported in line order
  for (const client::TableRow& row : sheet->rows) {
    if (!header_seen) {
      header_seen = ReadHeading(row, metric_names).has_value();
      continue;
    }
    std::variant<Json, Problem> body = RowBody(type, campaign, *heading, row, dir, wide);
    if (const Problem* p = std::get_if<Problem>(&body)) {
      problems.emplace_back(row.line, p->rule + ": " + p->message);
      continue;
    }
    // The id names the row's unit when the code is plain (a wrong code is reported by the check).
    const std::string code = std::get<Json>(body)["unit_id"];
    const bool plain = !code.empty() && code.size() <= 18 && code.find_first_not_of("0123456789ABCDEFGHJKLMNPQRTUWXY") == std::string::npos;
    Result<SignedEvent> e = MakeEvent("table-" + campaign + "-" + type + "-" + (plain ? code : "line" + std::to_string(row.line)), event_type,
                                      now, std::move(std::get<Json>(body)));
    if (!e.ok()) {
      problems.emplace_back(row.line, e.status().message());
      continue;
    }
    events.emplace_back(row.line, std::move(*e));
  }
  if (events.empty() && problems.empty()) return Fail(file + ": the table has no rows under its heading row");
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
      problems.emplace_back(line, rule + ": " + err.value("message", ""));
    }
  }
  if (!problems.empty()) {
    std::stable_sort(problems.begin(), problems.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [line, what] : problems) std::cerr << file << ":" << line << ": " << what << "\n";
    return Fail(std::to_string(problems.size()) + " bad row(s) of " + std::to_string(problems.size() + good.size()) +
                "; no event written (fix them and run again)");
  }
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

void AddImportTableCommands(std::vector<Command>& commands) {
  commands.push_back({"import-table", "unsigned events from a filled-in table, each row checked by the ledger's rules", ImportTable});
}

}  // namespace pilotledger::cli
