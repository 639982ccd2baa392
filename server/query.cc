#include "server/query.h"

#include <algorithm>
#include <charconv>

namespace pilotledger::server {

std::optional<uint64_t> ParseDecimal(const std::string& v) {
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || (v.size() > 1 && v[0] == '0')) return std::nullopt;
  return n;
}

bool Query::Has(const std::string& name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return true;
  }
  return false;
}

std::string Query::Get(const std::string& name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return v;
  }
  return "";
}

Result<uint64_t> Query::Number(const std::string& name, std::optional<uint64_t> fallback) const {
  if (!Has(name)) {
    if (fallback) return *fallback;
    return Status(Code::kInvalidArgument, "missing query parameter " + name);
  }
  const std::string v = Get(name);
  const auto n = ParseDecimal(v);
  if (!n) return Status(Code::kInvalidArgument, "query parameter " + name + " must be a non-negative integer, got \"" + v + "\"");
  return *n;
}

namespace {
std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}
}  // namespace

Status Query::OnlyKnown(const std::vector<std::string>& allowed, const std::string& path) const {
  for (const auto& [k, v] : values_) {
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    const std::string takes = allowed.empty() ? "it takes no query parameters" : "it takes " + Join(allowed);
    return Status(Code::kInvalidArgument, "unknown query parameter \"" + k + "\" on " + path + ": " + takes,
                  {{"parameter", k}, {"allowed", allowed}});
  }
  return Status::Ok();
}

Status Query::OneOf(const std::string& name, const std::vector<std::string>& values) const {
  const std::string v = Get(name);
  if (v.empty()) return Status::Ok();  // absent or empty: no filter
  if (std::find(values.begin(), values.end(), v) != values.end()) return Status::Ok();
  return Status(Code::kInvalidArgument, "invalid " + name + " \"" + v + "\": use one of " + Join(values),
                {{"parameter", name}, {"allowed", values}});
}

std::vector<std::string> EndpointParams(const std::vector<std::string>& seg) {
  if (seg.size() == 2 && seg[0] == "v1" && seg[1] == "entries") return {"from", "limit"};
  if (seg.size() == 2 && seg[0] == "v1" && seg[1] == "units") {
    return {"authority", "region", "status", "campaign", "category", "name", "limit", "cursor"};
  }
  if (seg.size() == 2 && seg[0] == "v1" && seg[1] == "stream") return {"from", "types"};
  if (seg.size() == 5 && seg[0] == "v1" && seg[1] == "campaigns" && seg[3] == "reports") return {"authority", "format", "lang"};
  if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "proofs" && seg[2] == "inclusion") return {"index", "size"};
  if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "proofs" && seg[2] == "consistency") return {"from", "to"};
  // The web page's paths: the language, and on the search page the search.
  if (seg.empty()) return {"q", "lang"};
  if (seg[0] == "units" || seg[0] == "campaigns" || seg[0] == "revocations") return {"lang"};
  return {};
}

}  // namespace pilotledger::server
