#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ledger/status.h"

// Reads a filled-in table for pilotctl import-table: CSV (RFC 4180, UTF-8 with or without a
// byte-order mark) or XLSX (Office Open XML). XLSX is read with Debian's minizip (the zip) and
// expat (the XML of the workbook, its shared strings and its worksheets): cell values as text,
// numbers as written in the file. Formulas' cached values are read; styles are ignored.
namespace pilotledger::client {

struct TableRow {
  size_t line = 0;  // CSV: the physical line where the record starts; XLSX: the row number
  std::vector<std::string> cells;
};

struct Sheet {
  std::string name;
  std::vector<TableRow> rows;  // rows with at least one non-empty cell, in order
};

// The sheets of `path`: one for a CSV file, every worksheet of an XLSX file in workbook order.
// The format is the file's: a zip (XLSX) or text (CSV). Errors: kNotFound, kInvalidArgument
// (not a readable table, with what is wrong).
Result<std::vector<Sheet>> ReadTable(const std::string& path);

// Splits CSV text into records (RFC 4180: quoted fields, "" inside quotes, CRLF or LF).
std::vector<TableRow> ParseCsv(const std::string& text);

}  // namespace pilotledger::client
