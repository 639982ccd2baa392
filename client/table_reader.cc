#include "client/table_reader.h"

#include <expat.h>
#include <minizip/unzip.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>

namespace pilotledger::client {
namespace {

Status Bad(const std::string& path, const std::string& why) { return Status(Code::kInvalidArgument, path + ": " + why); }

std::string LocalName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

// The bytes of one member of the zip, or nullopt if it has none of that name.
Result<std::optional<std::string>> Member(unzFile zip, const std::string& name) {
  if (unzLocateFile(zip, name.c_str(), /*case sensitive*/ 1) != UNZ_OK) return std::optional<std::string>();
  if (unzOpenCurrentFile(zip) != UNZ_OK) return Status(Code::kInvalidArgument, "cannot open " + name + " in the zip");
  std::string out;
  char buf[65536];
  for (;;) {
    const int n = unzReadCurrentFile(zip, buf, sizeof buf);
    if (n < 0) {
      unzCloseCurrentFile(zip);
      return Status(Code::kInvalidArgument, "cannot read " + name + " in the zip");
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
    if (out.size() > (256u << 20)) return Status(Code::kInvalidArgument, name + " is larger than 256 MiB");
  }
  if (unzCloseCurrentFile(zip) != UNZ_OK) return Status(Code::kInvalidArgument, name + " fails its CRC check");
  return std::optional<std::string>(std::move(out));
}

// An expat parse with start, end and text callbacks on element local names.
struct XmlHandler {
  virtual ~XmlHandler() = default;
  virtual void Start(const std::string& name, const std::map<std::string, std::string>& attrs) = 0;
  virtual void End(const std::string& name) = 0;
  virtual void Text(const char* s, int len) = 0;
};

Status ParseXml(const std::string& xml, XmlHandler& h, const std::string& what) {
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> p(XML_ParserCreate("UTF-8"), &XML_ParserFree);
  XML_SetUserData(p.get(), &h);
  XML_SetElementHandler(
      p.get(),
      [](void* u, const XML_Char* name, const XML_Char** atts) {
        std::map<std::string, std::string> attrs;
        for (size_t i = 0; atts[i]; i += 2) attrs[atts[i]] = atts[i + 1];
        static_cast<XmlHandler*>(u)->Start(LocalName(name), attrs);
      },
      [](void* u, const XML_Char* name) { static_cast<XmlHandler*>(u)->End(LocalName(name)); });
  XML_SetCharacterDataHandler(p.get(), [](void* u, const XML_Char* s, int len) { static_cast<XmlHandler*>(u)->Text(s, len); });
  if (XML_Parse(p.get(), xml.data(), int(xml.size()), 1) != XML_STATUS_OK) {
    return Status(Code::kInvalidArgument, what + " is not well-formed XML (line " + std::to_string(XML_GetCurrentLineNumber(p.get())) +
                                              ": " + XML_ErrorString(XML_GetErrorCode(p.get())) + ")");
  }
  return Status::Ok();
}

// xl/sharedStrings.xml: <si> items, each the text of its <t> elements (runs included).
struct SharedStrings : XmlHandler {
  std::vector<std::string> items;
  bool in_t = false, in_rph = false;
  void Start(const std::string& n, const std::map<std::string, std::string>&) override {
    if (n == "si") items.emplace_back();
    if (n == "rPh") in_rph = true;  // phonetic runs are not the text
    if (n == "t") in_t = !in_rph;
  }
  void End(const std::string& n) override {
    if (n == "t") in_t = false;
    if (n == "rPh") in_rph = false;
  }
  void Text(const char* s, int len) override {
    if (in_t && !items.empty()) items.back().append(s, size_t(len));
  }
};

// xl/workbook.xml: the sheets' names and relationship ids, in order.
struct Workbook : XmlHandler {
  std::vector<std::pair<std::string, std::string>> sheets;  // name, r:id
  void Start(const std::string& n, const std::map<std::string, std::string>& a) override {
    if (n != "sheet") return;
    std::string rid;
    for (const auto& [k, v] : a) {
      if (k.size() > 3 && k.compare(k.size() - 3, 3, ":id") == 0) rid = v;
    }
    sheets.emplace_back(a.count("name") ? a.at("name") : "", rid);
  }
  void End(const std::string&) override {}
  void Text(const char*, int) override {}
};

// xl/_rels/workbook.xml.rels: relationship id -> target.
struct Rels : XmlHandler {
  std::map<std::string, std::string> targets;
  void Start(const std::string& n, const std::map<std::string, std::string>& a) override {
    if (n == "Relationship" && a.count("Id") && a.count("Target")) targets[a.at("Id")] = a.at("Target");
  }
  void End(const std::string&) override {}
  void Text(const char*, int) override {}
};

// A decimal index, or `fallback` when the text is not one (a malformed file).
size_t Index(const std::string& text, size_t fallback) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return fallback;
  return size_t(std::stoul(text));
}

// The zero-based column of a cell reference ("C12" -> 2); -1 if it has none.
int Column(const std::string& ref) {
  int col = 0;
  size_t i = 0;
  for (; i < ref.size() && i < 3 && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) col = col * 26 + (ref[i] - 'A' + 1);
  return i == 0 ? -1 : col - 1;  // at most XFD (16384 columns), as spreadsheets have
}

// A worksheet: <row r="N"><c r="B2" t="s|str|inlineStr|b|n|e"><v>…</v> or <is><t>…</t></is></c>.
struct Worksheet : XmlHandler {
  const std::vector<std::string>& shared;
  std::vector<TableRow> rows;
  std::string type, value;
  int col = 0, next_col = 0;
  size_t next_row = 1;
  bool in_value = false, bad_index = false;
  explicit Worksheet(const std::vector<std::string>& s) : shared(s) {}
  void Start(const std::string& n, const std::map<std::string, std::string>& a) override {
    if (n == "row") {
      const auto r = a.find("r");
      rows.push_back({r != a.end() ? Index(r->second, next_row) : next_row, {}});
      next_row = rows.back().line + 1;
      next_col = 0;
    } else if (n == "c") {
      const auto r = a.find("r");
      col = r != a.end() ? Column(r->second) : next_col;
      if (col < 0) col = next_col;
      const auto t = a.find("t");
      type = t != a.end() ? t->second : "n";
      value.clear();
    } else if (n == "v" || n == "t") {
      in_value = true;
    }
  }
  void End(const std::string& n) override {
    if (n == "v" || n == "t") in_value = false;
    if (n != "c" || rows.empty()) return;
    std::string text = value;
    if (type == "s") {
      const size_t i = Index(value, shared.size());
      if (i >= shared.size()) bad_index = true;
      text = i < shared.size() ? shared[i] : "";
    } else if (type == "b") {
      text = value == "1" ? "true" : "false";
    }
    std::vector<std::string>& cells = rows.back().cells;
    if (cells.size() <= size_t(col)) cells.resize(size_t(col) + 1);
    cells[size_t(col)] = text;
    next_col = col + 1;
  }
  void Text(const char* s, int len) override {
    if (in_value) value.append(s, size_t(len));
  }
};

bool Blank(const TableRow& r) {
  for (const std::string& c : r.cells) {
    if (c.find_first_not_of(" \t\r\n") != std::string::npos) return false;
  }
  return true;
}

Result<std::vector<Sheet>> ReadXlsx(const std::string& path) {
  std::unique_ptr<void, int (*)(unzFile)> zip(unzOpen(path.c_str()), &unzClose);
  if (!zip) return Bad(path, "not a readable zip (an XLSX file is one)");
  PL_ASSIGN_OR_RETURN(std::optional<std::string> workbook_xml, Member(zip.get(), "xl/workbook.xml"));
  PL_ASSIGN_OR_RETURN(std::optional<std::string> rels_xml, Member(zip.get(), "xl/_rels/workbook.xml.rels"));
  if (!workbook_xml || !rels_xml) return Bad(path, "not an XLSX workbook (no xl/workbook.xml and its relationships)");
  Workbook wb;
  Rels rels;
  PL_RETURN_IF_ERROR(ParseXml(*workbook_xml, wb, path + ": xl/workbook.xml"));
  PL_RETURN_IF_ERROR(ParseXml(*rels_xml, rels, path + ": xl/_rels/workbook.xml.rels"));
  SharedStrings strings;
  PL_ASSIGN_OR_RETURN(std::optional<std::string> strings_xml, Member(zip.get(), "xl/sharedStrings.xml"));
  if (strings_xml) PL_RETURN_IF_ERROR(ParseXml(*strings_xml, strings, path + ": xl/sharedStrings.xml"));
  std::vector<Sheet> sheets;
  for (const auto& [name, rid] : wb.sheets) {
    const auto target = rels.targets.find(rid);
    if (target == rels.targets.end()) return Bad(path, "sheet " + name + " has no relationship " + rid);
    const std::string member = target->second.rfind('/', 0) == 0 ? target->second.substr(1) : "xl/" + target->second;
    PL_ASSIGN_OR_RETURN(std::optional<std::string> xml, Member(zip.get(), member));
    if (!xml) return Bad(path, "sheet " + name + " is missing (" + member + ")");
    Worksheet ws(strings.items);
    PL_RETURN_IF_ERROR(ParseXml(*xml, ws, path + ": " + member));
    if (ws.bad_index) return Bad(path, "sheet " + name + " refers to a shared string that does not exist");
    Sheet sheet{name, {}};
    for (TableRow& r : ws.rows) {
      if (!Blank(r)) sheet.rows.push_back(std::move(r));
    }
    sheets.push_back(std::move(sheet));
  }
  return sheets;
}

}  // namespace

std::vector<TableRow> ParseCsv(const std::string& text) {
  std::vector<TableRow> rows;
  size_t line = 1, i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < text.size()) {
    TableRow row{line, {std::string()}};
    bool quoted = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\n') ++line;
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          row.cells.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          row.cells.back() += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.cells.emplace_back();
      } else if (c == '\n') {
        ++i;
        break;
      } else if (c != '\r') {
        row.cells.back() += c;
      }
    }
    if (!Blank(row)) rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<Sheet>> ReadTable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot read " + path);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && std::string(magic, 4) == std::string("PK\x03\x04", 4)) return ReadXlsx(path);
  in.clear();
  in.seekg(0);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::vector<Sheet>{{"csv", ParseCsv(text)}};
}

}  // namespace pilotledger::client
