#include "server/report_files.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <xlsxwriter.h>

#include "ledger/encoding.h"
#include "ledger/timestamp.h"

namespace pilotledger::server {
namespace {

bool En(const projections::Report& r) { return r.lang == "en"; }

std::string Heading(const projections::Report& r, const projections::ReportColumn& c) { return En(r) ? c.key : c.zh; }
std::string SeqsHeading(const projections::Report& r) { return En(r) ? "seqs" : "依据条目（seq）"; }

std::string SeqsText(const std::vector<uint64_t>& seqs) {
  std::string out;
  for (uint64_t s : seqs) out += (out.empty() ? "" : " ") + std::to_string(s);
  return out;
}

// The header lines (CSV comments, and the XLSX first sheet): name and value.
std::vector<std::pair<std::string, std::string>> Stamp(const projections::Report& r, const ReportStamp& s) {
  return {{"report", r.name},
          {"title", r.title},
          {"campaign", r.campaign},
          {"authority", r.authority.empty() ? "all" : r.authority},
          {"lang", r.lang},
          {"reader", s.reader.empty() ? "public" : s.reader},
          {"checkpoint_origin", s.origin},
          {"checkpoint_size", std::to_string(s.size)},
          {"checkpoint_root", s.root},
          {"checkpoint_note", Base64Encode(s.note)},
          {"rows", std::to_string(r.rows.size())}};
}

std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CellText(const Json& cell) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  return cell.dump();
}

}  // namespace

std::string ReportCsv(const projections::Report& r, const ReportStamp& s) {
  std::string out = "\xEF\xBB\xBF";
  for (const auto& [k, v] : Stamp(r, s)) out += "# " + k + ": " + v + "\r\n";
  std::string line;
  for (const projections::ReportColumn& c : r.columns) line += CsvField(Heading(r, c)) + ",";
  out += line + CsvField(SeqsHeading(r)) + "\r\n";
  for (const projections::ReportRow& row : r.rows) {
    line.clear();
    for (const Json& cell : row.cells) line += CsvField(CellText(cell)) + ",";
    out += line + CsvField(SeqsText(row.seqs)) + "\r\n";
  }
  return out;
}

Result<std::string> ReportXlsx(const projections::Report& r, const ReportStamp& s) {
  char path[] = "/tmp/pilotledger-report-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return Status(Code::kInternal, "cannot create a temporary file for the spreadsheet");
  ::close(fd);
  lxw_workbook* wb = workbook_new(path);
  if (!wb) {
    std::remove(path);
    return Status(Code::kInternal, "cannot start the spreadsheet");
  }
  const std::string comments = "checkpoint " + s.origin + " " + std::to_string(s.size) + " " + s.root;
  lxw_doc_properties props{};
  props.title = const_cast<char*>(r.title.c_str());
  props.subject = const_cast<char*>(r.name.c_str());
  props.author = const_cast<char*>("PilotLedger");
  props.keywords = const_cast<char*>("pilotledger report");
  props.comments = const_cast<char*>(comments.c_str());
  workbook_set_properties(wb, &props);
  workbook_set_custom_property_string(wb, "checkpoint_origin", s.origin.c_str());
  workbook_set_custom_property_number(wb, "checkpoint_size", double(s.size));
  workbook_set_custom_property_string(wb, "checkpoint_root", s.root.c_str());

  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd hh:mm:ss");
  lxw_format* text = workbook_add_format(wb);
  format_set_num_format(text, "@");

  // The first sheet: the checkpoint the rows reflect.
  lxw_worksheet* meta = workbook_add_worksheet(wb, En(r) ? "checkpoint" : "检查点");
  worksheet_set_column(meta, 0, 0, 20, bold);
  worksheet_set_column(meta, 1, 1, 100, nullptr);
  lxw_row_t row = 0;
  for (const auto& [k, v] : Stamp(r, s)) {
    worksheet_write_string(meta, row, 0, k.c_str(), bold);
    if (k == "checkpoint_size" || k == "rows") {
      worksheet_write_number(meta, row, 1, std::stod(v), nullptr);
    } else {
      worksheet_write_string(meta, row, 1, (k == "checkpoint_note" ? s.note : v).c_str(), nullptr);
    }
    ++row;
  }

  // The second sheet: the table, its heading row frozen.
  lxw_worksheet* ws = workbook_add_worksheet(wb, En(r) ? "report" : "报表");
  lxw_col_t col = 0;
  for (const projections::ReportColumn& c : r.columns) {
    worksheet_set_column(ws, col, col, c.width, c.type == projections::CellType::kText ? text : nullptr);
    worksheet_write_string(ws, 0, col++, Heading(r, c).c_str(), bold);
  }
  worksheet_set_column(ws, col, col, 16, text);
  worksheet_write_string(ws, 0, col, SeqsHeading(r).c_str(), bold);
  worksheet_freeze_panes(ws, 1, 0);
  row = 1;
  for (const projections::ReportRow& rr : r.rows) {
    for (col = 0; col < rr.cells.size(); ++col) {
      const Json& cell = rr.cells[col];
      if (cell.is_null()) continue;
      if (cell.is_number_integer()) {
        worksheet_write_number(ws, row, col, double(cell.get<int64_t>()), nullptr);
      } else if (r.columns[col].type == projections::CellType::kDate) {
        const Result<Timestamp> t = ParseRfc3339(cell.get<std::string>());
        const std::time_t secs = t.ok() ? std::time_t(t->ms / 1000) : 0;
        std::tm tm{};
        ::gmtime_r(&secs, &tm);
        lxw_datetime dt{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec + double(t.ok() ? t->ms % 1000 : 0) / 1000.0};
        worksheet_write_datetime(ws, row, col, &dt, date);
      } else {
        worksheet_write_string(ws, row, col, cell.get<std::string>().c_str(), text);
      }
    }
    if (!rr.seqs.empty()) worksheet_write_string(ws, row, col, SeqsText(rr.seqs).c_str(), text);
    ++row;
  }
  const lxw_error closed = workbook_close(wb);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::remove(path);
  if (closed != LXW_NO_ERROR) return Status(Code::kInternal, std::string("cannot write the spreadsheet: ") + lxw_strerror(closed));
  return bytes.str();
}

}  // namespace pilotledger::server
