#include "projections/body_schema.h"

#include <algorithm>
#include <unordered_set>

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

const Json* BodyReader::Find(const std::string& name) const {
  if (!object_.is_object()) return nullptr;
  const auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

Result<std::string> BodyReader::String(const std::string& name) const {
  const Json* v = Find(name);
  if (!v || !v->is_string()) return Missing(name, "a string");
  return v->get_ref<const std::string&>();
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
  const Json* v = Find(name);
  if (!v || !v->is_number_integer()) return Missing(name, "an integer");
  return v->get<int64_t>();
}

Result<bool> BodyReader::Bool(const std::string& name) const {
  const Json* v = Find(name);
  if (!v || !v->is_boolean()) return Missing(name, "true or false");
  return v->get<bool>();
}

Result<std::vector<std::string>> BodyReader::StringList(const std::string& name) const {
  const Json* list = Find(name);
  if (!list || !list->is_array() || list->empty()) return Missing(name, "a non-empty list");
  constexpr size_t kScanned = 16;
  std::vector<std::string> out;
  out.reserve(list->size());
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& v = (*list)[i];
    const auto item = [&] { return Field(name) + "[" + std::to_string(i) + "]"; };
    if (!v.is_string()) return SchemaViolation(item(), item() + " must be a string");
    const std::string& s = v.get_ref<const std::string&>();
    // Most lists are short (scenarios, a few credit codes): a scan of the ones before is cheaper
    // than a set there; a long one (a review's scope) gets a set of views into the document.
    const bool repeated = list->size() <= kScanned ? std::find(out.begin(), out.end(), s) != out.end() : !seen.insert(s).second;
    if (repeated) return SchemaViolation(item(), item() + " repeats " + s);
    out.push_back(s);
  }
  return out;
}

}  // namespace pilotledger::projections
