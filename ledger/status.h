#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace pilotledger {

// The error codes of PROTOCOL.md §7 plus the internal ones. Stored: never renumber.
enum class Code {
  kOk = 0,
  kMalformedJson = 1,
  kSchemaViolation = 2,
  kBadSignature = 3,
  kUnknownSigner = 4,
  kForbidden = 5,
  kNotFound = 6,
  kDuplicateId = 7,
  kRuleViolation = 8,
  kPayloadTooLarge = 9,
  kUnauthenticated = 10,
  kDataLoss = 11,
  kUnavailable = 12,
  kInternal = 13,
  kInvalidArgument = 14,  // a bad request parameter (HTTP 400 "bad_request")
  kTooManyRequests = 15,
  kMethodNotAllowed = 16,
  kHeaderTooLarge = 17,
  kUpgradeRequired = 18,
};

// The wire name of a code ("schema_violation"), as in PROTOCOL.md §7.
const char* CodeName(Code code);
// The HTTP status a code maps to.
int HttpStatus(Code code);

// The outcome of an operation: OK, or a code with a message and optional JSON details
// (`details.rule`, `details.field`, ...). Cheap to move; copying copies the message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, nlohmann::json details = nlohmann::json::object())
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const nlohmann::json& details() const { return details_; }

  // {"error":{"code","message","details"}} as PROTOCOL.md §7.
  nlohmann::json ToJson() const;
  // "schema_violation: message" for logs and CLI output.
  std::string ToString() const;

  // Drops the status on purpose; say why at the call.
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
  nlohmann::json details_ = nlohmann::json::object();
};

// Shorthands for the common refusals.
Status SchemaViolation(std::string field, std::string message);
Status RuleViolation(std::string rule, std::string message, nlohmann::json details = nullptr);

// A value of type T, or a non-OK Status (like absl::StatusOr).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status(Code::kInternal, "Result constructed from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace pilotledger

#define PL_CONCAT_INNER_(a, b) a##b
#define PL_CONCAT_(a, b) PL_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define PL_RETURN_IF_ERROR(expr)                      \
  do {                                                \
    ::pilotledger::Status pl_status_ = (expr);        \
    if (!pl_status_.ok()) return pl_status_;          \
  } while (0)

// `lhs = value of expr`, or returns its status. Expands to several statements: never use it as
// the body of an unbraced `if`.
#define PL_ASSIGN_OR_RETURN(lhs, expr) PL_ASSIGN_OR_RETURN_IMPL_(PL_CONCAT_(pl_result_, __LINE__), lhs, expr)
#define PL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
