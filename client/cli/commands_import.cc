// pilotctl import-titles: historical titles from a CSV file (unit name, credit code, category,
// subtype, region, authority), checked row by row before anything is appended.
#include <map>
#include <sstream>

#include "client/cli/cli.h"
#include "projections/uscc.h"
#include "projections/vocabulary.h"

namespace pilotledger::cli {
namespace {

// Splits one CSV record (RFC 4180: quoted fields, "" inside quotes). Fields are trimmed.
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  for (std::string& f : fields) {
    while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.erase(f.begin());
    while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.pop_back();
  }
  return fields;
}

constexpr const char* kColumns[] = {"name", "credit_code", "category", "subtype", "region", "authority"};

// The unit of one row, or what is wrong with it.
Result<Json> RowUnit(const std::vector<std::string>& f) {
  if (f.size() != 6) return Status(Code::kInvalidArgument, "expected 6 columns, found " + std::to_string(f.size()));
  const std::string &name = f[0], &code = f[1], &category = f[2], &subtype = f[3], &region = f[4], &authority = f[5];
  if (name.empty()) return Status(Code::kInvalidArgument, "the unit name is empty");
  if (const std::string p = projections::UsccProblem(code); !p.empty()) {
    return Status(Code::kInvalidArgument, "credit code " + code + ": " + p);
  }
  if (!projections::OneOf(category, projections::kCategories)) {
    return Status(Code::kInvalidArgument, "category \"" + category + "\" is not " + projections::ListOf(projections::kCategories));
  }
  if (category == "enterprise" && !projections::OneOf(subtype, projections::kSubtypes)) {
    return Status(Code::kInvalidArgument, "an enterprise needs a subtype: " + projections::ListOf(projections::kSubtypes));
  }
  if (category != "enterprise" && !subtype.empty()) return Status(Code::kInvalidArgument, "only enterprises have a subtype");
  if (!projections::IsRegionCode(region)) return Status(Code::kInvalidArgument, "region \"" + region + "\" is not a 6-digit code");
  const bool soe = authority.rfind("soe:", 0) == 0 && authority.size() > 4;
  if (!soe && !projections::IsRegionCode(authority)) {
    return Status(Code::kInvalidArgument, "authority \"" + authority + "\" is not a 6-digit code or soe:<actor>");
  }
  Json u = {{"id", code}, {"name", name}, {"category", category}, {"region", region}, {"authority", authority}};
  if (!subtype.empty()) u["subtype"] = subtype;
  return u;
}

int ImportTitles(const Globals& g, const std::vector<std::string>& args) {
  po::options_description o("pilotctl import-titles: grant historical titles from a CSV file (name,credit_code,category,subtype,region,authority)");
  std::string file, campaign;
  std::vector<std::string> keys;
  size_t batch = 100;
  bool skip_bad = false;
  o.add_options()("file", po::value(&file)->required(), "the CSV file (a header row first)")
      ("campaign", po::value(&campaign)->required(), "the historical campaign, e.g. 2017")
      ("key", po::value(&keys)->composing()->required(), "key file of a signer; repeat for the three ministries")
      ("batch", po::value(&batch), "units per title.granted event")("skip-bad", po::bool_switch(&skip_bad), "import the good rows even if some are bad");
  po::variables_map vm;
  if (!Parse(args, o, {{"file", 1}}, vm, "pilotctl import-titles FILE.csv --campaign 2017 --key K [--key K …]")) return kOk;
  Result<std::string> text = ReadInput(file);
  if (!text.ok()) return Fail(text.status());
  if (text->rfind("\xEF\xBB\xBF", 0) == 0) text->erase(0, 3);  // a spreadsheet's byte-order mark
  Result<std::vector<client::Identity>> ids = client::LoadIdentities(keys);
  if (!ids.ok()) return Fail(ids.status());

  std::vector<std::pair<size_t, Json>> units;  // line number, unit
  std::map<std::string, size_t> seen;
  size_t line_no = 0, bad = 0;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    if (line_no == 1) {
      const auto header = SplitCsv(line);
      if (header.size() != 6 || header[1] != kColumns[1]) {
        return Fail(file + ":1: the header must be name,credit_code,category,subtype,region,authority");
      }
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<Json> u = RowUnit(SplitCsv(line));
    if (u.ok() && seen.count((*u)["id"])) u = Status(Code::kInvalidArgument, "credit code repeats line " + std::to_string(seen[(*u)["id"]]));
    if (!u.ok()) {
      std::cerr << file << ":" << line_no << ": " << u.status().message() << "\n";
      ++bad;
      continue;
    }
    seen[(*u)["id"]] = line_no;
    units.emplace_back(line_no, *u);
  }
  if (bad > 0 && !skip_bad) return Fail(std::to_string(bad) + " bad row(s); nothing imported (fix them, or pass --skip-bad)");
  auto c = Connect(g);
  if (!c.ok()) return Fail(c.status());
  size_t imported = 0;
  for (size_t i = 0; i < units.size(); i += batch) {
    Json chunk = Json::array();
    const size_t end = std::min(units.size(), i + batch);
    for (size_t k = i; k < end; ++k) chunk.push_back(units[k].second);
    SystemClock clock;
    Result<SignedEvent> e = MakeEvent("import-" + campaign + "-" + units[i].second["id"].get<std::string>(), "title.granted", clock.Now(),
                                      {{"campaign", campaign}, {"units", chunk}});
    if (!e.ok()) return Fail(e.status());
    for (const client::Identity& id : *ids) client::AddSignature(*e, id);
    Result<client::AppendReceipt> r = (*c)->Append(*e);
    if (!r.ok()) {
      std::string where = r.status().details().value("field", "");
      const auto bracket = where.find('[');
      if (bracket != std::string::npos) where = "line " + std::to_string(units[i + std::stoul(where.substr(bracket + 1))].first);
      return Fail("lines " + std::to_string(units[i].first) + "-" + std::to_string(units[end - 1].first) + " refused" +
                  (where.empty() ? "" : " (" + where + ")") + ": " + r.status().message() + "; " + std::to_string(imported) +
                  " titles imported before");
    }
    imported += chunk.size();
  }
  std::cout << "imported " << imported << " titles into campaign " << campaign << (bad ? " (" + std::to_string(bad) + " bad rows skipped)" : "")
            << "\n";
  return bad > 0 ? kFailed : kOk;
}

}  // namespace

void AddImportCommands(std::vector<Command>& commands) {
  commands.push_back({"import-titles", "grant historical titles from a CSV file, checking every row first", ImportTitles});
}

}  // namespace pilotledger::cli
