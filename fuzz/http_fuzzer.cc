// The HTTP request path: the input is the bytes a client sends. They are parsed as the server
// parses them (Beast's request parser with the server's header and body limits; the one fuzz
// translation unit that includes Beast) and what parses is answered by the Api as the server
// answers it (server/http_server.cc: a WebSocket upgrade goes to OpenStream, anything else to
// Api::Handle with the method, target, Authorization and body). Every answer must be well-formed:
// a documented status (never 500), a valid UTF-8 body, strict JSON when it says JSON, an error
// body {"error":{code,message,details}} whose code maps to the status, Allow only on 405; and a
// reader without a signature (only the harness can make one: "sig=@", service_env.h) never sees a
// non-public entry in full.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

#include "fuzz/fuzz_util.h"
#include "fuzz/service_env.h"
#include "ledger/event.h"
#include "server/http_server.h"

namespace pilotledger::fuzz {
namespace {

namespace http = boost::beast::http;

bool IsKnownStatus(int s) {
  for (const int k : {101, 200, 201, 400, 401, 403, 404, 405, 409, 413, 426, 429, 431, 503}) {
    if (s == k) return true;
  }
  return false;
}

// An entry as an unprivileged reader may see it: redacted, or of a public type.
void CheckVisible(const Json& entry, const std::string& body) {
  FUZZ_CHECK(entry.is_object(), "an entry that is not an object: " + body);
  if (entry.value("redacted", false)) return;
  const Json& event = entry.contains("event") ? entry["event"] : Json();
  const EventTypeInfo* info = event.is_object() && event.contains("type") && event["type"].is_string()
                                  ? FindEventType(event["type"].get<std::string>())
                                  : nullptr;
  FUZZ_CHECK(info && info->is_public, "a non-public entry served in full to an unsigned reader: " + body);
}

void CheckResponse(const server::HttpResponse& r, bool authenticated) {
  FUZZ_CHECK(IsKnownStatus(r.status), "an undocumented status " + std::to_string(r.status) + ": " + r.body);
  FUZZ_CHECK(IsValidUtf8(r.body), "a body that is not UTF-8: " + r.body);
  for (const auto& [name, value] : r.headers) {
    FUZZ_CHECK(name != "Allow" || r.status == 405, "Allow on a " + std::to_string(r.status));
    FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos, "a header value with a line break");
  }
  if (r.content_type != "application/json") return;
  Result<Json> j = ParseStrictJson(r.body);
  FUZZ_CHECK(j.ok(), "a JSON answer that is not strict JSON (" + j.status().ToString() + "): " + r.body);
  if (r.status >= 400) {
    const Json& e = j->is_object() && j->contains("error") ? (*j)["error"] : Json();
    FUZZ_CHECK(e.is_object() && e.size() == 3 && e.contains("code") && e["code"].is_string() && e.contains("message") &&
                   e["message"].is_string() && e.contains("details") && e["details"].is_object(),
               "an error answer that is not {error:{code,message,details}}: " + r.body);
    bool known = false;
    for (int c = 1; c <= static_cast<int>(Code::kUpgradeRequired); ++c) {
      if (e["code"] == CodeName(static_cast<Code>(c))) known = HttpStatus(static_cast<Code>(c)) == r.status;
    }
    FUZZ_CHECK(known, "an error code that does not map to its status: " + r.body);
    return;
  }
  if (authenticated) return;
  if (j->is_object() && j->contains("entries") && (*j)["entries"].is_array()) {
    for (const Json& entry : (*j)["entries"]) CheckVisible(entry, r.body);
  } else if (j->is_object() && j->contains("seq") && (j->contains("event") || j->contains("redacted"))) {
    CheckVisible(*j, r.body);
  }
}

bool HasToken(std::string_view list, std::string_view token) {
  std::string l(list), t(token);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l.find(t) != std::string::npos;
}

}  // namespace
}  // namespace pilotledger::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  const server::ServerOptions limits;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < size && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;  // the server answers these itself (400, 413, 431)
  const auto& req = parser.get();
  const std::string method(req.method_string()), target(req.target());
  std::string signed_by;
  const std::string authorization = FillAuthorization(std::string(req[http::field::authorization]), method, target, &signed_by);
  ServiceEnv& env = TheService();
  const bool upgrade = HasToken(req[http::field::connection], "upgrade") && HasToken(req[http::field::upgrade], "websocket");
  if (upgrade && req.method() == http::verb::get) {
    Result<server::StreamRequest> r = Status(Code::kInternal, "not run");
    NoThrow("OpenStream", [&] { r = env.api->OpenStream(target, authorization, 0, limits.max_watchers); });
    if (!r.ok()) CheckResponse(server::Api::ErrorResponse(r.status()), false);
    return 0;
  }
  server::HttpResponse response;
  NoThrow("Api::Handle", [&] { response = Call({method, target, authorization, req.body()}); });
  CheckResponse(response, !signed_by.empty());
  return 0;
}
