#include "ledger/status.h"

namespace pilotledger {
namespace {

struct CodeInfo {
  const char* name;
  int http;
};

// One table maps every code to its wire name and HTTP status.
CodeInfo Info(Code code) {
  switch (code) {
    case Code::kOk: return {"ok", 200};
    case Code::kMalformedJson: return {"malformed_json", 400};
    case Code::kSchemaViolation: return {"schema_violation", 400};
    case Code::kBadSignature: return {"bad_signature", 401};
    case Code::kUnknownSigner: return {"unknown_signer", 401};
    case Code::kForbidden: return {"forbidden", 403};
    case Code::kNotFound: return {"not_found", 404};
    case Code::kDuplicateId: return {"duplicate_id", 409};
    case Code::kRuleViolation: return {"rule_violation", 409};
    case Code::kPayloadTooLarge: return {"payload_too_large", 413};
    case Code::kUnauthenticated: return {"unauthenticated", 401};
    case Code::kDataLoss: return {"data_loss", 500};
    case Code::kUnavailable: return {"unavailable", 503};
    case Code::kInternal: return {"internal", 500};
    case Code::kInvalidArgument: return {"bad_request", 400};
    case Code::kTooManyRequests: return {"too_many_requests", 429};
    case Code::kMethodNotAllowed: return {"method_not_allowed", 405};
    case Code::kHeaderTooLarge: return {"header_too_large", 431};
    case Code::kUpgradeRequired: return {"upgrade_required", 426};
  }
  return {"internal", 500};
}

}  // namespace

const char* CodeName(Code code) { return Info(code).name; }
int HttpStatus(Code code) { return Info(code).http; }

nlohmann::json Status::ToJson() const {
  return {{"error", {{"code", CodeName(code_)}, {"message", message_}, {"details", details_}}}};
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status SchemaViolation(std::string field, std::string message) {
  return Status(Code::kSchemaViolation, std::move(message), {{"field", std::move(field)}});
}

Status RuleViolation(std::string rule, std::string message, nlohmann::json details) {
  nlohmann::json d = details.is_object() ? std::move(details) : nlohmann::json::object();
  d["rule"] = std::move(rule);
  return Status(Code::kRuleViolation, std::move(message), std::move(d));
}

}  // namespace pilotledger
