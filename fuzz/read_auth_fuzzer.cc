// The read-authorisation header (Authorization: PilotLedger-Sig actor=…,time=…,sig=…, PROTOCOL.md
// §7): the input is "METHOD\nTARGET\nHEADER". Api::Authenticate never throws; an empty header is
// the public reader; any other header is refused with unauthenticated and a well-formed message
// unless it carries a real signature, which only the harness can make ("sig=@", service_env.h):
// a header is never accepted for an actor whose signature the harness did not fill in, and an
// accepted reader has that actor's registered role.
#include "fuzz/fuzz_util.h"
#include "fuzz/service_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  const std::string text(AsText(data, size));
  const auto nl1 = text.find('\n');
  const auto nl2 = nl1 == std::string::npos ? std::string::npos : text.find('\n', nl1 + 1);
  if (nl2 == std::string::npos) return 0;
  const std::string method = text.substr(0, nl1), target = text.substr(nl1 + 1, nl2 - nl1 - 1);
  std::string signed_by;
  const std::string header = FillAuthorization(text.substr(nl2 + 1), method, target, &signed_by);
  ServiceEnv& env = TheService();
  Result<server::Reader> reader = Status(Code::kInternal, "not run");
  NoThrow("Authenticate", [&] { reader = env.api->Authenticate(method, target, header); });
  if (!reader.ok()) {
    CheckErrorBody(server::Api::ErrorResponse(reader.status()).body);
    FUZZ_CHECK(reader.status().code() == Code::kUnauthenticated, reader.status().ToString());
    return 0;
  }
  if (header.empty()) {
    FUZZ_CHECK(reader->actor.empty() && !reader->privileged(), "an empty header is not the public reader");
    return 0;
  }
  FUZZ_CHECK(!signed_by.empty() && reader->actor == signed_by, "a header accepted without the actor's signature: " + header);
  const std::optional<projections::Actor> a = env.service->FindActiveActor(signed_by);
  FUZZ_CHECK(a && a->role == reader->role, "an accepted reader without its registered role");
  return 0;
}
