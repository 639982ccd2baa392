#include "projections/body_schema.h"

#include <set>

#include "ledger/event.h"

namespace pilotledger::projections {

Status BodyReader::OnlyFields(const std::vector<std::string>& allowed) const {
  if (!object_.is_object()) return SchemaViolation(where_, (where_.empty() ? "body" : where_) + " must be an object");
  for (const auto& [key, value] : object_.items()) {
    bool known = false;
    for (const std::string& a : allowed) known = known || a == key;
    if (!known) return SchemaViolation(Field(key), "unknown field \"" + Field(key) + "\"");
  }
  return Status::Ok();
}

Status BodyReader::Missing(const std::string& name, const char* kind) const {
  return SchemaViolation(Field(name), Field(name) + " must be " + kind);
}

Result<std::string> BodyReader::String(const std::string& name) const {
  if (!Has(name) || !object_[name].is_string()) return Missing(name, "a string");
  return object_[name].get<std::string>();
}

Result<std::string> BodyReader::Text(const std::string& name) const {
  PL_ASSIGN_OR_RETURN(std::string s, String(name));
  if (s.empty() || s.size() > 2000) return Missing(name, "a non-empty string of at most 2000 bytes");
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return Missing(name, "text without control characters");
  }
  return s;
}

Result<std::string> BodyReader::Id(const std::string& name) const {
  PL_ASSIGN_OR_RETURN(std::string s, String(name));
  if (!IsValidId(s)) return Missing(name, "1-64 characters of [A-Za-z0-9._:-]");
  return s;
}

Result<int64_t> BodyReader::Integer(const std::string& name) const {
  if (!Has(name) || !object_[name].is_number_integer()) return Missing(name, "an integer");
  return object_[name].get<int64_t>();
}

Result<bool> BodyReader::Bool(const std::string& name) const {
  if (!Has(name) || !object_[name].is_boolean()) return Missing(name, "true or false");
  return object_[name].get<bool>();
}

Result<std::vector<std::string>> BodyReader::StringList(const std::string& name) const {
  if (!Has(name) || !object_[name].is_array() || object_[name].empty()) return Missing(name, "a non-empty list");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < object_[name].size(); ++i) {
    const Json& v = object_[name][i];
    const std::string item = Field(name) + "[" + std::to_string(i) + "]";
    if (!v.is_string()) return SchemaViolation(item, item + " must be a string");
    if (!seen.insert(v.get<std::string>()).second) return SchemaViolation(item, item + " repeats " + v.get<std::string>());
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace pilotledger::projections
