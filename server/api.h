#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/url/url_view.hpp>

#include "ledger/status.h"
#include "server/answer_cache.h"
#include "server/ledger_service.h"
#include "server/metrics.h"
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
  std::optional<uint64_t> seq;  // an append's seq, for the request log
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow)
  // If set, the transport calls it on its I/O thread before sending, and it fills in the rest: an
  // append's answer is formatted there rather than on the sequencer thread (Api::DeferAnswers).
  std::function<void(HttpResponse&)> render;

  // Runs `render` if it is set (a transport calls it before it reads the response).
  void Render() {
    if (render) std::exchange(render, nullptr)(*this);
  }
};

// Who is reading: an authenticated actor, or the public (empty actor).
struct Reader {
  std::string actor;
  std::string role;
  std::string authority;  // provincial and SOE group readers: the authority they act for
  std::string unit;       // applicant readers: their unit
  // Auditors and ministries read everything in full.
  bool privileged() const { return role == "auditor" || role == "ministry"; }
};

inline constexpr int64_t kReadAuthWindowMs = 300'000;

// An entry's leaf as `reader` may see it: in full, or the redaction stub (PROTOCOL.md §13).
std::string VisibleLeaf(const std::string& leaf, uint64_t seq, const Reader& reader);

// A watcher's subscription (GET /v1/stream?from=N&types=a,b).
struct StreamRequest {
  uint64_t from = 0;
  std::vector<std::string> types;  // empty: every type
  Reader reader;
};

// The HTTP API of PROTOCOL.md §7 over a LedgerService, independent of the transport.
// Thread-safe. `service` must outlive the Api.
class Api {
 public:
  Api(LedgerService& service, Metrics& metrics) : service_(service), metrics_(metrics) {}

  // Answers `request`, calling `respond` exactly once, possibly later on another thread (appends
  // answer from the sequencer thread once the entry is durable).
  void Handle(const HttpRequest& request, std::function<void(HttpResponse)> respond);
  // From now on an append's answer reaches `respond` unformatted, with HttpResponse::render set,
  // for a transport that renders it on its own thread (HttpServer). Call before serving.
  void DeferAnswers() { defer_answers_ = true; }

  // Checks an `Authorization: PilotLedger-Sig actor=…,time=…,sig=…` header for METHOD and target:
  // a public Reader if the header is empty. Errors: kUnauthenticated (malformed, stale, unknown or
  // revoked actor, bad signature).
  Result<Reader> Authenticate(const std::string& method, const std::string& target, const std::string& header) const;

  // Checks a /v1/stream upgrade: the target, the parameters, the reader and the watcher limit.
  // Errors: kNotFound (another path), kInvalidArgument, kUnauthenticated, kUnavailable (full).
  Result<StreamRequest> OpenStream(const std::string& target, const std::string& authorization, size_t watchers,
                                   size_t max_watchers) const;
  LedgerService& service() const { return service_; }
  Metrics& metrics() const { return metrics_; }

  // The JSON body of an error answer, and a whole error response.
  static HttpResponse ErrorResponse(const Status& status);

 private:
  std::atomic<bool> defer_answers_{false};
  AnswerCache quota_answers_;  // GET /v1/campaigns/{id}/quotas, by campaign, per state version

  // One row of the route table (api.cc): a method and a path pattern ("/v1/entries/{seq}"; a
  // "{…}" segment matches any one segment) and what answers it. The table serves dispatch and the
  // 404 / 405 answers with their Allow header alike.
  struct RouteContext {
    const HttpRequest& request;
    const std::vector<std::string>& segments;  // the decoded path segments
    const Query& query;
    const Reader& reader;
  };
  using ReadHandler = Result<HttpResponse> (Api::*)(const RouteContext&);
  struct Route {
    const char* method;
    const char* pattern;
    ReadHandler read;  // null for the append, which Handle dispatches before reading the header
  };
  static const std::vector<Route>& Routes();

  HttpResponse Dispatch(const HttpRequest& request, const Reader& reader);
  // The C2SP tlog-tiles read API under /tlog/ (api_tiles.cc).
  HttpResponse DispatchTlog(const HttpRequest& request, const boost::urls::url_view& url, const std::vector<std::string>& segments,
                            const Reader& reader);
  void HandleAppend(const HttpRequest& request, std::function<void(HttpResponse)> respond);

  Result<HttpResponse> GetHealthz(const RouteContext& c);
  Result<HttpResponse> GetMetrics(const RouteContext& c);
  Result<HttpResponse> GetStream(const RouteContext& c);
  Result<HttpResponse> GetCheckpoint(const RouteContext& c);
  Result<HttpResponse> GetLedgerKey(const RouteContext& c);
  Result<HttpResponse> GetLedgerKeys(const RouteContext& c);
  Result<HttpResponse> GetEntries(const RouteContext& c);
  Result<HttpResponse> GetEntry(const RouteContext& c);
  Result<HttpResponse> GetInclusionProof(const RouteContext& c);
  Result<HttpResponse> GetConsistencyProof(const RouteContext& c);
  // The answers derived from the projections (api_projections.cc).
  Result<HttpResponse> GetUnits(const RouteContext& c);
  Result<HttpResponse> GetUnit(const RouteContext& c);
  Result<HttpResponse> GetCampaigns(const RouteContext& c);
  Result<HttpResponse> GetCampaign(const RouteContext& c);
  Result<HttpResponse> GetCampaignQuotas(const RouteContext& c);
  // The tables and the check of unsigned events (api_reports.cc).
  Result<HttpResponse> GetReport(const RouteContext& c);
  Result<HttpResponse> PostCheck(const RouteContext& c);
  Result<HttpResponse> GetCampaignReviewScope(const RouteContext& c);
  Result<HttpResponse> GetCampaignOutcomes(const RouteContext& c);
  Result<HttpResponse> GetDocument(const RouteContext& c);
  Result<HttpResponse> GetActors(const RouteContext& c);
  Result<HttpResponse> GetActor(const RouteContext& c);
  // The web page (api_web.cc, server/web.h): its HTML at the page paths, its files under /static/.
  Result<HttpResponse> GetPage(const RouteContext& c);
  Result<HttpResponse> GetStatic(const RouteContext& c);

  LedgerService& service_;
  Metrics& metrics_;
};

}  // namespace pilotledger::server
