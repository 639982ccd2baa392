#include "server/api.h"

#include <unistd.h>

#include <chrono>

#include <boost/url/parse.hpp>

#include "ledger/canonical_json.h"
#include "ledger/encoding.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "server/error_text.h"
#include "projections/snapshot.h"
#include "server/query.h"

namespace pilotledger::server {
namespace {

constexpr uint64_t kMaxPage = 1000;

HttpResponse JsonResponse(int status, const Json& body) { return {status, "application/json", WriteCanonical(body)}; }
HttpResponse Text(const std::string& body) { return {200, "text/plain; charset=utf-8", body}; }

Status BadRequest(const std::string& message) { return Status(Code::kInvalidArgument, message); }
Status NotFound(const std::string& what) { return Status(Code::kNotFound, what); }

std::vector<std::string> Segments(const boost::urls::url_view& url) {
  std::vector<std::string> out;
  for (const auto& s : url.segments()) out.emplace_back(s);
  return out;
}

Json HashesJson(const std::vector<Hash>& hashes) {
  Json out = Json::array();
  for (const Hash& h : hashes) out.push_back(HashBase64(h));
  return out;
}

// What an unprivileged reader sees of a non-public entry: enough to verify the tree.
std::string RedactedLeaf(uint64_t seq, const std::string& type, const Hash& leaf_hash) {
  return WriteCanonical({{"seq", seq}, {"type", type}, {"leaf_hash", HashBase64(leaf_hash)}, {"redacted", true}});
}

}  // namespace

// The leaf as `reader` may see it.
std::string VisibleLeaf(const std::string& leaf, uint64_t seq, const Reader& reader) {
  if (reader.privileged()) return leaf;
  const Json j = Json::parse(leaf, nullptr, /*allow_exceptions=*/false);
  const std::string type = j.is_object() ? j["event"].value("type", "") : "";
  const EventTypeInfo* info = FindEventType(type);
  if (info && info->is_public) return leaf;
  return RedactedLeaf(seq, type, merkle::HashLeaf(leaf));
}

namespace {

// True if `pattern` ("/v1/entries/{seq}") matches the decoded path segments.
bool Matches(std::string_view pattern, const std::vector<std::string>& segments) {
  if (pattern == "/") return segments.empty();
  size_t i = 0;
  for (std::string_view rest = pattern.substr(1);; ++i) {
    const size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (i >= segments.size()) return false;
    if (part.empty() || part.front() != '{') {
      if (segments[i] != part) return false;
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return i + 1 == segments.size();
}

}  // namespace

HttpResponse Api::ErrorResponse(const Status& status) {
  const Json body = ErrorBody(status);
  // A server-side failure's full text (a RocksDB path, say) is for the operator, not the client.
  if (HttpStatus(status.code()) >= 500 && body["error"]["message"] != EscapeUntrusted(status.message())) {
    const std::string line = "pilotledgerd: answered " + std::string(CodeName(status.code())) + ": " + EscapeUntrusted(status.message()) + "\n";
    (void)!::write(2, line.data(), line.size());
  }
  return JsonResponse(HttpStatus(status.code()), body);
}

Result<Reader> Api::Authenticate(const std::string& method, const std::string& target, const std::string& header) const {
  if (header.empty()) return Reader{};
  constexpr std::string_view kScheme = "PilotLedger-Sig ";
  const auto bad = [](const std::string& why) { return Status(Code::kUnauthenticated, why); };
  if (header.rfind(kScheme, 0) != 0) return bad("the Authorization header must use the PilotLedger-Sig scheme");
  std::string actor, time, sig;
  std::string_view rest = std::string_view(header).substr(kScheme.size());
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) return bad("malformed Authorization parameter \"" + std::string(part) + "\"");
    const std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    std::string* slot = key == "actor" ? &actor : key == "time" ? &time : key == "sig" ? &sig : nullptr;
    if (!slot || !slot->empty()) return bad("unexpected or repeated Authorization parameter " + std::string(key));
    *slot = std::string(value);
  }
  if (actor.empty() || time.empty() || sig.empty()) return bad("the Authorization header needs actor, time and sig");
  Result<Timestamp> t = ParseRfc3339(time);
  if (!t.ok()) return bad("time is not an RFC 3339 UTC time");
  const int64_t skew = service_.clock().Now().ms - t->ms;
  if (skew > kReadAuthWindowMs || skew < -kReadAuthWindowMs) {
    return bad("the signed time " + time + " is more than 300 s from the server's clock");
  }
  const std::optional<projections::Actor> a = service_.FindActiveActor(actor);
  if (!a) return bad("actor " + actor + " is not a registered, active actor");
  const auto raw = Base64Decode(sig);
  const std::string input = "pilotledger:read:v1\n" + method + " " + target + "\n" + time;
  if (!raw || !a->key.Verify(input, *raw)) return bad("the read signature of " + actor + " does not verify");
  return Reader{actor, a->role, a->authority(), a->unit};
}

void Api::Handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  // The append (the route table's row without a read handler) is authorised by its event's
  // signatures; the read header concerns reads only.
  if (request.method == "POST" && request.target.substr(0, request.target.find('?')) == "/v1/entries") {
    return HandleAppend(request, std::move(respond));
  }
  Result<Reader> reader = Authenticate(request.method, request.target, request.authorization);
  if (!reader.ok()) return respond(ErrorResponse(reader.status()));
  respond(Dispatch(request, *reader));
}

void Api::HandleAppend(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [started] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  Result<SignedEvent> event = ParseSubmission(request.body);
  if (!event.ok()) {
    metrics_.Append(event.status().code(), false, elapsed());
    return respond(ErrorResponse(event.status()));
  }
  // Called on the sequencer thread: it formats the answer only if the transport cannot.
  service_.Append(std::move(*event), [this, elapsed, respond = std::move(respond)](Result<ledger::Receipt> r) {
    metrics_.Append(r.ok() ? Code::kOk : r.status().code(), r.ok() && r->created, elapsed());
    HttpResponse response;
    response.render = [r = std::move(r)](HttpResponse& out) {
      if (!r.ok()) {
        out = ErrorResponse(r.status());
        return;
      }
      out = JsonResponse(r->created ? 201 : 200, {{"seq", r->seq},
                                                  {"leaf_hash", HashBase64(r->leaf_hash)},
                                                  {"received", FormatRfc3339Millis(r->received)}});
      out.seq = r->seq;
    };
    if (!defer_answers_.load(std::memory_order_relaxed)) response.Render();
    respond(std::move(response));
  });
}

const std::vector<Api::Route>& Api::Routes() {
  // Rows of one path are listed together, in the order their methods appear in Allow.
  static const std::vector<Route> routes = {
      {"GET", "/healthz", &Api::GetHealthz},
      {"GET", "/metrics", &Api::GetMetrics},
      {"GET", "/v1/entries", &Api::GetEntries},
      {"POST", "/v1/entries", nullptr},
      {"GET", "/v1/entries/{seq}", &Api::GetEntry},
      {"GET", "/v1/checkpoint", &Api::GetCheckpoint},
      {"GET", "/v1/ledger-key", &Api::GetLedgerKey},
      {"GET", "/v1/ledger-keys", &Api::GetLedgerKeys},
      {"GET", "/v1/stream", &Api::GetStream},
      {"GET", "/v1/proofs/inclusion", &Api::GetInclusionProof},
      {"GET", "/v1/proofs/consistency", &Api::GetConsistencyProof},
      {"GET", "/v1/units", &Api::GetUnits},
      {"GET", "/v1/units/{id}", &Api::GetUnit},
      {"GET", "/v1/campaigns", &Api::GetCampaigns},
      {"GET", "/v1/campaigns/{id}", &Api::GetCampaign},
      {"GET", "/v1/campaigns/{id}/quotas", &Api::GetCampaignQuotas},
      {"GET", "/v1/campaigns/{id}/reports/{name}", &Api::GetReport},
      {"POST", "/v1/check", &Api::PostCheck},
      {"GET", "/v1/campaigns/{id}/review-scope", &Api::GetCampaignReviewScope},
      {"GET", "/v1/campaigns/{id}/outcomes", &Api::GetCampaignOutcomes},
      {"GET", "/v1/documents/{sha256}", &Api::GetDocument},
      {"GET", "/v1/actors", &Api::GetActors},
      {"GET", "/v1/actors/{id}", &Api::GetActor},
      // The web page (api_web.cc): the same HTML at each page path, its files under /static/.
      {"GET", "/", &Api::GetPage},
      {"GET", "/units/{id}", &Api::GetPage},
      {"GET", "/campaigns/{id}", &Api::GetPage},
      {"GET", "/campaigns/{id}/quotas", &Api::GetPage},
      {"GET", "/revocations", &Api::GetPage},
      {"GET", "/static/{version}/{file}", &Api::GetStatic},
  };
  return routes;
}

HttpResponse Api::Dispatch(const HttpRequest& request, const Reader& reader) {
  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) return ErrorResponse(BadRequest("malformed request target"));
  const std::vector<std::string> seg = Segments(*parsed);
  if (!seg.empty() && seg[0] == "tlog") return DispatchTlog(request, *parsed, seg, reader);
  std::string allowed;  // the methods of the rows matching the path: "GET", "GET, POST"
  const Route* route = nullptr;
  for (const Route& r : Routes()) {
    if (!Matches(r.pattern, seg)) continue;
    allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
    if (r.method == request.method) route = &r;
  }
  if (allowed.empty()) return ErrorResponse(NotFound("no such endpoint " + std::string(parsed->path())));
  // Only reads are dispatched here: an append reaches this point only through a path spelled
  // otherwise than "/v1/entries" (percent-encoded), which has always been refused as a read.
  if (!route || !route->read) {
    HttpResponse r = ErrorResponse(Status(Code::kMethodNotAllowed, request.method + " is not allowed on " +
                                                                       std::string(parsed->path()) + "; use " + allowed));
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& p : parsed->params()) params.emplace_back(std::string(p.key), std::string(p.value));
  const Query q(std::move(params));
  if (Status known = q.OnlyKnown(EndpointParams(seg), std::string(parsed->path())); !known.ok()) return ErrorResponse(known);
  const Result<HttpResponse> result = (this->*route->read)(RouteContext{request, seg, q, reader});
  if (!result.ok()) return ErrorResponse(result.status());
  return *result;
}

Result<HttpResponse> Api::GetMetrics(const RouteContext&) {
  return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(service_)};
}

Result<HttpResponse> Api::GetHealthz(const RouteContext&) {
  if (service_.log_check() == LedgerService::LogCheck::kFailed) {
    return Status(Code::kUnavailable, "the check of the stored log found " + service_.log_check_problem() +
                                          "; appends are refused, reads are served");
  }
  if (!service_.healthy()) return Status(Code::kUnavailable, "the store refuses writes; reads are served and appends resume once it takes writes again");
  return JsonResponse(200, {{"status", "ok"}, {"size", service_.log().size()}});
}

Result<HttpResponse> Api::GetStream(const RouteContext&) {
  return Status(Code::kUpgradeRequired, "/v1/stream is a WebSocket: send a GET with Upgrade: websocket");
}

Result<HttpResponse> Api::GetCheckpoint(const RouteContext&) { return Text(*service_.PublishedCheckpoint()); }

Result<HttpResponse> Api::GetLedgerKey(const RouteContext&) { return Text(service_.log().verifier_key() + "\n"); }

Result<HttpResponse> Api::GetLedgerKeys(const RouteContext&) {
  return JsonResponse(200, {{"keys", service_.Read([](const projections::State& s) { return projections::LedgerKeysJson(s); })}});
}

Result<HttpResponse> Api::GetEntries(const RouteContext& c) {
  PL_ASSIGN_OR_RETURN(uint64_t from, c.query.Number("from", 0));
  PL_ASSIGN_OR_RETURN(uint64_t limit, c.query.Number("limit", 100));
  if (limit == 0 || limit > kMaxPage) return BadRequest("limit must be 1-1000");
  PL_ASSIGN_OR_RETURN(auto leaves, service_.log().ReadLeaves(from, limit));
  std::string body = "{\"entries\":[";
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (i) body += ',';
    body += VisibleLeaf(leaves[i], from + i, c.reader);
  }
  body += "],\"next\":" + std::to_string(from + leaves.size()) + "}";
  return HttpResponse{200, "application/json", std::move(body)};
}

Result<HttpResponse> Api::GetEntry(const RouteContext& c) {
  const auto seq = ParseDecimal(c.segments[2]);
  if (!seq) return BadRequest("an entry is addressed by its seq, a non-negative integer");
  PL_ASSIGN_OR_RETURN(std::string leaf, service_.log().ReadLeaf(*seq));
  return HttpResponse{200, "application/json", VisibleLeaf(leaf, *seq, c.reader)};
}

Result<HttpResponse> Api::GetInclusionProof(const RouteContext& c) {
  PL_ASSIGN_OR_RETURN(uint64_t index, c.query.Number("index"));
  PL_ASSIGN_OR_RETURN(uint64_t size, c.query.Number("size"));
  PL_ASSIGN_OR_RETURN(auto hashes, service_.log().InclusionProof(index, size));
  return JsonResponse(200, {{"index", index}, {"size", size}, {"hashes", HashesJson(hashes)}});
}

Result<HttpResponse> Api::GetConsistencyProof(const RouteContext& c) {
  PL_ASSIGN_OR_RETURN(uint64_t from, c.query.Number("from"));
  PL_ASSIGN_OR_RETURN(uint64_t to, c.query.Number("to"));
  if (from == 0) return BadRequest("a consistency proof starts from a size of at least 1");
  PL_ASSIGN_OR_RETURN(auto hashes, service_.log().ConsistencyProof(from, to));
  return JsonResponse(200, {{"from", from}, {"to", to}, {"hashes", HashesJson(hashes)}});
}

// Which decisions cite exactly this file: each citing entry as the reader may see it, with its
// inclusion proof in the tree of the latest checkpoint (served with it).
Result<HttpResponse> Api::GetDocument(const RouteContext& c) {
  const std::string& hash = c.segments[2];
  bool hex = hash.size() == 64;
  for (const char ch : hash) hex = hex && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  if (!hex) return BadRequest("a document is addressed by its SHA-256, 64 lowercase hex digits");
  const std::shared_ptr<const std::string> note = service_.log().signed_checkpoint();
  const size_t first = note->find('\n'), second = note->find('\n', first + 1);
  const auto size = ParseDecimal(note->substr(first + 1, second - first - 1));
  if (!size) return Status(Code::kInternal, "the latest checkpoint does not parse");
  std::vector<projections::Citation> citations;
  PL_RETURN_IF_ERROR(service_.Read([&](const projections::State& s) -> Status {
    if (const auto it = s.documents.find(hash); it != s.documents.end()) citations = it->second;
    return Status::Ok();
  }));
  Json cites = Json::array();
  for (const projections::Citation& cite : citations) {
    if (cite.seq >= *size) continue;  // appended after the checkpoint
    PL_ASSIGN_OR_RETURN(std::string leaf, service_.log().ReadLeaf(cite.seq));
    PL_ASSIGN_OR_RETURN(auto proof, service_.log().InclusionProof(cite.seq, *size));
    const std::string visible = VisibleLeaf(leaf, cite.seq, c.reader);
    Json item = {{"seq", cite.seq}, {"type", cite.type}, {"leaf_hash", HashBase64(merkle::HashLeaf(leaf))},
                 {"entry", Json::parse(visible)}, {"inclusion", {{"index", cite.seq}, {"size", *size}, {"hashes", HashesJson(proof)}}}};
    if (visible == leaf) {  // the name and size are the entry's own words
      item["name"] = cite.name;
      item["bytes"] = cite.bytes;
    }
    cites.push_back(std::move(item));
  }
  return JsonResponse(200, {{"sha256", hash}, {"checkpoint", *note}, {"size", *size}, {"citations", cites}});
}

Result<StreamRequest> Api::OpenStream(const std::string& target, const std::string& authorization, size_t watchers,
                                      size_t max_watchers) const {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return BadRequest("malformed request target");
  if (parsed->path() != "/v1/stream") return Status(Code::kNotFound, "WebSocket connections go to /v1/stream");
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& p : parsed->params()) params.emplace_back(std::string(p.key), std::string(p.value));
  const Query q(std::move(params));
  StreamRequest r;
  PL_RETURN_IF_ERROR(q.OnlyKnown(EndpointParams({"v1", "stream"}), "/v1/stream"));
  PL_ASSIGN_OR_RETURN(r.from, q.Number("from", 0));
  if (r.from > service_.log().size()) {
    return Status(Code::kInvalidArgument, "from " + std::to_string(r.from) + " is beyond the log's " +
                                              std::to_string(service_.log().size()) + " entries");
  }
  std::string types = q.Get("types");
  for (size_t start = 0; !types.empty() && start <= types.size();) {
    const size_t comma = std::min(types.find(',', start), types.size());
    const std::string t = types.substr(start, comma - start);
    if (!FindEventType(t)) return Status(Code::kInvalidArgument, "unknown event type \"" + t + "\" in types");
    r.types.push_back(t);
    start = comma + 1;
  }
  PL_ASSIGN_OR_RETURN(r.reader, Authenticate("GET", target, authorization));
  if (watchers >= max_watchers) {
    return Status(Code::kUnavailable, "the server has " + std::to_string(max_watchers) + " watchers, its limit; retry later");
  }
  return r;
}

}  // namespace pilotledger::server
