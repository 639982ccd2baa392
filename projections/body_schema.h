#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/canonical_json.h"
#include "ledger/status.h"

namespace pilotledger::projections {

// Reads the fields of one JSON object strictly, naming each failing field in a kSchemaViolation
// (details.field = "<where>.<name>"). Borrows `object`, which must outlive the reader.
class BodyReader {
 public:
  BodyReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  // The object has no fields outside `allowed` (and is an object).
  Status OnlyFields(const std::vector<std::string>& allowed) const;
  bool Has(const std::string& name) const { return Find(name) != nullptr; }
  std::string Field(const std::string& name) const { return where_.empty() ? name : where_ + "." + name; }

  Result<std::string> String(const std::string& name) const;
  // A non-empty string of at most 2000 characters without control characters.
  Result<std::string> Text(const std::string& name) const;
  // An id: 1–64 characters of [A-Za-z0-9._:-].
  Result<std::string> Id(const std::string& name) const;
  Result<int64_t> Integer(const std::string& name) const;
  Result<bool> Bool(const std::string& name) const;
  // A non-empty list of distinct strings.
  Result<std::vector<std::string>> StringList(const std::string& name) const;
  const Json& Get(const std::string& name) const { return object_.at(name); }

 private:
  // The field `name`, or nullptr (also when the reader's value is not an object): one lookup.
  const Json* Find(const std::string& name) const;
  Status Missing(const std::string& name, const char* kind) const;
  const Json& object_;
  const std::string where_;
};

}  // namespace pilotledger::projections
