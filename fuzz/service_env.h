// The server's Api over a real LedgerService (RocksDB in a temporary directory) holding the world
// (fuzz/world.h), created once per fuzzing process and removed at its exit; its clock stands still
// at the world's `now`. For the targets that drive the server: read authorisation, the stream's
// parameters and the HTTP request path.
#pragma once

#include <memory>
#include <string>

#include "fuzz/world.h"
#include "server/api.h"
#include "server/ledger_service.h"
#include "server/metrics.h"

namespace pilotledger::fuzz {

struct ServiceEnv {
  FixedClock clock{TheWorld().now};
  std::string dir;
  std::unique_ptr<server::LedgerService> service;
  server::Metrics metrics;
  std::unique_ptr<server::Api> api;
};

ServiceEnv& TheService();

// Fills the placeholders a fuzzer may put in an Authorization header, so that its inputs can get
// past the signature into what an authenticated reader sees: "time=@" becomes the clock's time,
// and "sig=@" the real read signature of the header's actor (if it is one of the world's) over
// METHOD, `target` and that time. Sets `signed_by` to the actor whose signature was filled in.
std::string FillAuthorization(const std::string& header, const std::string& method, const std::string& target,
                              std::string* signed_by);

// Api::Handle, waiting for the answer (appends answer from the sequencer thread).
server::HttpResponse Call(const server::HttpRequest& request);

}  // namespace pilotledger::fuzz
