#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/status.h"
#include "server/ledger_service.h"
#include "server/query.h"

namespace pilotledger::server {

// A request as the HTTP layer hands it over; no Beast types cross this boundary.
struct HttpRequest {
  std::string method;
  std::string target;  // origin-form: path and query
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Who is reading: an authenticated actor, or the public (empty actor).
struct Reader {
  std::string actor;
  std::string role;
  bool privileged() const { return role == "auditor" || role == "ministry"; }
};

inline constexpr int64_t kReadAuthWindowMs = 300'000;

// The HTTP API of PROTOCOL.md §7 over a LedgerService, independent of the transport.
// Thread-safe. `service` must outlive the Api.
class Api {
 public:
  explicit Api(LedgerService& service) : service_(service) {}

  // Answers `request`, calling `respond` exactly once, possibly later on another thread (appends
  // answer from the sequencer thread once the entry is durable).
  void Handle(const HttpRequest& request, std::function<void(HttpResponse)> respond);

  // Checks an `Authorization: PilotLedger-Sig actor=…,time=…,sig=…` header for METHOD and target:
  // a public Reader if the header is empty. Errors: kUnauthenticated (malformed, stale, unknown or
  // revoked actor, bad signature).
  Result<Reader> Authenticate(const std::string& method, const std::string& target, const std::string& header) const;

  // The JSON body of an error answer, and a whole error response.
  static HttpResponse ErrorResponse(const Status& status);

 private:
  HttpResponse Route(const HttpRequest& request, const Reader& reader);
  // /v1/units, /v1/campaigns, /v1/actors (api_projections.cc).
  Result<HttpResponse> RouteProjections(const std::vector<std::string>& segments, const Query& query, const Reader& reader);
  void HandleAppend(const HttpRequest& request, std::function<void(HttpResponse)> respond);

  LedgerService& service_;
};

}  // namespace pilotledger::server
