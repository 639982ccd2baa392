#pragma once

#include <cstdint>
#include <string>

#include "ledger/status.h"
#include "projections/reports.h"

// The files of a report (projections/reports.h): XLSX through libxlsxwriter, CSV as RFC 4180 in
// UTF-8 with a byte-order mark. Each states the checkpoint its rows reflect and, per row, the seqs
// behind it; docs/api.md ("Reports") describes the layout.
namespace pilotledger::server {

struct ReportStamp {
  std::string origin;
  uint64_t size = 0;
  std::string root;  // base64
  std::string note;  // the signed checkpoint note, as GET /v1/checkpoint serves it
  std::string reader;  // the reading actor, or "" for the public
};

std::string ReportCsv(const projections::Report& report, const ReportStamp& stamp);
// Errors: kInternal if the spreadsheet cannot be written (a full temporary directory).
Result<std::string> ReportXlsx(const projections::Report& report, const ReportStamp& stamp);

}  // namespace pilotledger::server
