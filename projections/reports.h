#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/status.h"
#include "projections/state.h"

// The tables the calls' process runs on (the review list 附件2, the summary table 附件4, the list
// published for objections, the titles granted and revoked, the quota usage), as rows built from
// the state alone: a pure function, like the JSON views. Formatting them (XLSX, CSV) is the
// server's (server/report_files.*). docs/api.md describes every column.
namespace pilotledger::projections {

inline constexpr std::string_view kReportNames[] = {"review-list", "summary", "publicity", "granted", "revoked", "quotas"};

enum class CellType { kText, kInteger, kDate };

struct ReportColumn {
  std::string key;  // the English heading (lang=en), also the column's name in docs/api.md
  std::string zh;   // the Chinese heading, as the calls' forms name it
  CellType type = CellType::kText;
  int width = 12;   // in characters, for spreadsheets
};

struct ReportRow {
  // One per column: a string (text, or an RFC 3339 time for kDate), an integer, or null (empty).
  std::vector<Json> cells;
  // The entries the row rests on, in increasing order: `pilotctl proof SEQ` proves each.
  std::vector<uint64_t> seqs;
};

struct Report {
  std::string name, campaign, authority, lang;
  std::string title;  // in `lang`
  std::vector<ReportColumn> columns;
  std::vector<ReportRow> rows;
};

// What the reader may see, as the API decides it (server/read_access.h): whether a unit is visible
// at all, whether in full (non-public entries), and whether quota usage may be read.
struct ReportAccess {
  std::function<bool(const Unit&)> visible;
  std::function<bool(const Unit&)> full;
  bool quotas = false;
};

// Builds report `name` of `campaign`, for one authority's units if `authority` is not empty, with
// cells in `lang` ("zh": the forms' Chinese labels; "en": the API's codes). Rows a reader may not
// see are left out, and non-public details are blank unless `access.full` accepts the unit.
// Errors: kNotFound (no campaign), kInvalidArgument (a review-list of a campaign reviewing no
// titles), kForbidden (quotas without access.quotas).
Result<Report> BuildReport(const State& state, const std::string& name, const std::string& campaign,
                           const std::string& authority, const std::string& lang, const ReportAccess& access);

}  // namespace pilotledger::projections
