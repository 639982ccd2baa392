#include "server/query.h"

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

}  // namespace pilotledger::server
