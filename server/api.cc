#include "server/api.h"

#include <chrono>

#include <boost/url/parse.hpp>

#include "ledger/encoding.h"
#include "ledger/event.h"
#include "projections/views.h"
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

// The leaf as `reader` may see it.
std::string Visible(const std::string& leaf, uint64_t seq, const Reader& reader) {
  if (reader.privileged()) return leaf;
  const Json j = Json::parse(leaf, nullptr, /*allow_exceptions=*/false);
  const std::string type = j.is_object() ? j["event"].value("type", "") : "";
  const EventTypeInfo* info = FindEventType(type);
  if (info && info->is_public) return leaf;
  return RedactedLeaf(seq, type, merkle::HashLeaf(leaf));
}

// The methods a path answers ("GET", "GET, POST"), or "" for no such endpoint.
std::string AllowedMethods(const std::vector<std::string>& seg) {
  if (seg.size() == 1 && (seg[0] == "healthz" || seg[0] == "metrics")) return "GET";
  if (seg.empty() || seg[0] != "v1" || seg.size() < 2) return "";
  const std::string& r = seg[1];
  if (seg.size() == 2 && r == "entries") return "GET, POST";
  if (seg.size() == 2 && (r == "checkpoint" || r == "ledger-key" || r == "units" || r == "campaigns" || r == "actors" || r == "stream")) {
    return "GET";
  }
  if (seg.size() == 3 && (r == "entries" || r == "units" || r == "campaigns" || r == "actors")) return "GET";
  if (seg.size() == 3 && r == "proofs" && (seg[2] == "inclusion" || seg[2] == "consistency")) return "GET";
  if (seg.size() == 4 && r == "campaigns" && seg[3] == "quotas") return "GET";
  return "";
}

}  // namespace

HttpResponse Api::ErrorResponse(const Status& status) { return JsonResponse(HttpStatus(status.code()), status.ToJson()); }

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
  // An append is authorised by its event's signatures; the read header concerns reads only.
  if (request.method == "POST" && request.target.substr(0, request.target.find('?')) == "/v1/entries") {
    return HandleAppend(request, std::move(respond));
  }
  Result<Reader> reader = Authenticate(request.method, request.target, request.authorization);
  if (!reader.ok()) return respond(ErrorResponse(reader.status()));
  respond(Route(request, *reader));
}

void Api::HandleAppend(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [started] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  Result<SignedEvent> event = ParseSubmission(request.body);
  if (!event.ok()) {
    metrics_.Append(event.status().code(), false, elapsed());
    return respond(ErrorResponse(event.status()));
  }
  service_.Append(std::move(*event), [this, elapsed, respond = std::move(respond)](Result<ledger::Receipt> r) {
    metrics_.Append(r.ok() ? Code::kOk : r.status().code(), r.ok() && r->created, elapsed());
    if (!r.ok()) return respond(ErrorResponse(r.status()));
    HttpResponse response = JsonResponse(r->created ? 201 : 200, {{"seq", r->seq},
                                                                  {"leaf_hash", HashBase64(r->leaf_hash)},
                                                                  {"received", FormatRfc3339Millis(r->received)}});
    response.seq = r->seq;
    respond(std::move(response));
  });
}

HttpResponse Api::Route(const HttpRequest& request, const Reader& reader) {
  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) return ErrorResponse(BadRequest("malformed request target"));
  const std::vector<std::string> seg = Segments(*parsed);
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& p : parsed->params()) params.emplace_back(std::string(p.key), std::string(p.value));
  const Query q(std::move(params));
  const ledger::Log& log = service_.log();
  const bool get = request.method == "GET";
  const auto result = [&]() -> Result<HttpResponse> {
    const std::string allowed = AllowedMethods(seg);
    if (allowed.empty()) return NotFound("no such endpoint " + std::string(parsed->path()));
    if (!get) {
      HttpResponse r = ErrorResponse(Status(Code::kMethodNotAllowed, request.method + " is not allowed on " +
                                                                         std::string(parsed->path()) + "; use " + allowed));
      r.headers.emplace_back("Allow", allowed);
      return r;
    }
    PL_RETURN_IF_ERROR(q.OnlyKnown(EndpointParams(seg), std::string(parsed->path())));
    if (seg.size() == 1 && seg[0] == "metrics") {
      return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(service_)};
    }
    if (seg.size() == 1 && seg[0] == "healthz") {
      if (!service_.healthy()) return Status(Code::kUnavailable, "the store refuses writes; reads are served and appends resume once it takes writes again");
      return JsonResponse(200, {{"status", "ok"}, {"size", log.size()}});
    }
    if (seg.size() == 2 && seg[1] == "stream") {
      return Status(Code::kUpgradeRequired, "/v1/stream is a WebSocket: send a GET with Upgrade: websocket");
    }
    if (seg.size() == 2 && seg[1] == "checkpoint") return Text(*log.signed_checkpoint());
    if (seg.size() == 2 && seg[1] == "ledger-key") return Text(log.verifier_key() + "\n");
    if (seg.size() == 2 && seg[1] == "entries") {
      PL_ASSIGN_OR_RETURN(uint64_t from, q.Number("from", 0));
      PL_ASSIGN_OR_RETURN(uint64_t limit, q.Number("limit", 100));
      if (limit == 0 || limit > kMaxPage) return BadRequest("limit must be 1-1000");
      PL_ASSIGN_OR_RETURN(auto leaves, log.ReadLeaves(from, limit));
      std::string body = "{\"entries\":[";
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (i) body += ',';
        body += Visible(leaves[i], from + i, reader);
      }
      body += "],\"next\":" + std::to_string(from + leaves.size()) + "}";
      return HttpResponse{200, "application/json", std::move(body)};
    }
    if (seg.size() == 3 && seg[1] == "entries") {
      const auto seq = ParseDecimal(seg[2]);
      if (!seq) return BadRequest("an entry is addressed by its seq, a non-negative integer");
      PL_ASSIGN_OR_RETURN(std::string leaf, log.ReadLeaf(*seq));
      return HttpResponse{200, "application/json", Visible(leaf, *seq, reader)};
    }
    if (seg.size() == 3 && seg[1] == "proofs" && seg[2] == "inclusion") {
      PL_ASSIGN_OR_RETURN(uint64_t index, q.Number("index"));
      PL_ASSIGN_OR_RETURN(uint64_t size, q.Number("size"));
      PL_ASSIGN_OR_RETURN(auto hashes, log.InclusionProof(index, size));
      return JsonResponse(200, {{"index", index}, {"size", size}, {"hashes", HashesJson(hashes)}});
    }
    if (seg.size() == 3 && seg[1] == "proofs" && seg[2] == "consistency") {
      PL_ASSIGN_OR_RETURN(uint64_t from, q.Number("from"));
      PL_ASSIGN_OR_RETURN(uint64_t to, q.Number("to"));
      if (from == 0) return BadRequest("a consistency proof starts from a size of at least 1");
      PL_ASSIGN_OR_RETURN(auto hashes, log.ConsistencyProof(from, to));
      return JsonResponse(200, {{"from", from}, {"to", to}, {"hashes", HashesJson(hashes)}});
    }
    return RouteProjections(seg, q, reader);
  }();
  if (!result.ok()) return ErrorResponse(result.status());
  return *result;
}

}  // namespace pilotledger::server

namespace pilotledger::server {

Result<StreamRequest> Api::OpenStream(const std::string& target, const std::string& authorization, size_t watchers,
                                      size_t max_watchers) const {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed || parsed->path() != "/v1/stream") return Status(Code::kNotFound, "WebSocket connections go to /v1/stream");
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
