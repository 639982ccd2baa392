// The stream's parameters (GET /v1/stream?from=N&types=a,b with an optional read header, PROTOCOL.md
// §7): the input is "TARGET\nHEADER", and its first byte also picks how many watchers are
// connected (of a limit of 8). Api::OpenStream never throws; it refuses with not_found (another
// path), bad_request, unauthenticated or unavailable (full), each well-formed; what it accepts
// starts within the log, names only known types, and was under the watcher limit.
#include "fuzz/fuzz_util.h"
#include "fuzz/service_env.h"
#include "ledger/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  if (size == 0) return 0;
  const size_t watchers = data[0] % 10, max_watchers = 8;
  const std::string text(AsText(data + 1, size - 1));
  const auto nl = text.find('\n');
  const std::string target = text.substr(0, nl);
  std::string signed_by;
  const std::string header = nl == std::string::npos ? "" : FillAuthorization(text.substr(nl + 1), "GET", target, &signed_by);
  ServiceEnv& env = TheService();
  Result<server::StreamRequest> r = Status(Code::kInternal, "not run");
  NoThrow("OpenStream", [&] { r = env.api->OpenStream(target, header, watchers, max_watchers); });
  if (!r.ok()) {
    CheckErrorBody(server::Api::ErrorResponse(r.status()).body);
    const Code c = r.status().code();
    FUZZ_CHECK(c == Code::kNotFound || c == Code::kInvalidArgument || c == Code::kUnauthenticated || c == Code::kUnavailable,
               r.status().ToString());
    return 0;
  }
  FUZZ_CHECK(watchers < max_watchers, "a watcher accepted past the limit");
  FUZZ_CHECK(r->from <= env.service->log().size(), "a stream starting beyond the log");
  for (const std::string& t : r->types) FUZZ_CHECK(FindEventType(t) != nullptr, "an unknown type accepted: " + t);
  FUZZ_CHECK(r->reader.actor.empty() || r->reader.actor == signed_by, "a stream reader accepted without a signature");
  return 0;
}
