#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace pilotledger::server {

// The decoded query parameters of one request target.
class Query {
 public:
  explicit Query(std::vector<std::pair<std::string, std::string>> values) : values_(std::move(values)) {}

  bool Has(const std::string& name) const;
  // The value of `name`, or "" if absent.
  std::string Get(const std::string& name) const;
  // A non-negative decimal integer without sign or leading zeros; `fallback` if absent.
  // Errors: kInvalidArgument naming the parameter.
  Result<uint64_t> Number(const std::string& name, std::optional<uint64_t> fallback = std::nullopt) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Parses a decimal seq/size as Query::Number does; nullopt if it is not one.
std::optional<uint64_t> ParseDecimal(const std::string& text);

}  // namespace pilotledger::server
