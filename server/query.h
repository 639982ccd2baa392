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
  // OK if every parameter is one of `allowed`; else kInvalidArgument naming the first unknown one,
  // the path and the parameters it takes (details: {"parameter", "allowed"}).
  Status OnlyKnown(const std::vector<std::string>& allowed, const std::string& path) const;
  // OK if `name` is absent, empty (no filter) or one of `values`; else kInvalidArgument naming it and the allowed values.
  Status OneOf(const std::string& name, const std::vector<std::string>& values) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// The query parameters a GET endpoint (its path segments) takes; every other one is refused.
std::vector<std::string> EndpointParams(const std::vector<std::string>& seg);

// Parses a decimal seq/size as Query::Number does; nullopt if it is not one.
std::optional<uint64_t> ParseDecimal(const std::string& text);

}  // namespace pilotledger::server
