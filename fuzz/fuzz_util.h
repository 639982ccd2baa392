// Shared by the fuzz targets: invariant checks that abort (so that libFuzzer records the input as a
// crash), and the checks every error a target sees must pass.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "ledger/canonical_json.h"
#include "ledger/status.h"
#include "ledger/utf8.h"

namespace pilotledger::fuzz {

// Aborts with `what` unless `ok`.
#define FUZZ_CHECK(ok, what)                                                              \
  do {                                                                                    \
    if (!(ok)) ::pilotledger::fuzz::Violated(__FILE__, __LINE__, #ok, std::string(what)); \
  } while (0)

[[noreturn]] inline void Violated(const char* file, int line, const char* expr, const std::string& what) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n  %s\n", file, line, expr, what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An error is well-formed: a code other than OK and internal, a valid UTF-8 message, and its JSON
// (the body of an error answer) parses strictly back to itself.
inline void CheckError(const Status& s) {
  FUZZ_CHECK(!s.ok(), "an error with code ok");
  FUZZ_CHECK(s.code() != Code::kInternal, "an internal error for bad input: " + s.message());
  FUZZ_CHECK(IsValidUtf8(s.message()), "an error message that is not UTF-8: " + s.message());
  const std::string body = WriteCanonical(s.ToJson());
  Result<Json> back = ParseStrictJson(body);
  FUZZ_CHECK(back.ok(), "an error body that is not strict JSON: " + body);
  FUZZ_CHECK(WriteCanonical(*back) == body, "an error body that is not canonical: " + body);
}

// An error answer's body (Api::ErrorResponse): strict, canonical UTF-8 JSON
// {"error":{"code","message","details"}}, whatever the request held.
inline void CheckErrorBody(const std::string& body) {
  FUZZ_CHECK(IsValidUtf8(body), "an error answer that is not UTF-8: " + body);
  Result<Json> j = ParseStrictJson(body);
  FUZZ_CHECK(j.ok() && WriteCanonical(*j) == body, "an error answer that is not canonical JSON: " + body);
  const Json& e = j->is_object() && j->contains("error") ? (*j)["error"] : Json();
  FUZZ_CHECK(e.is_object() && e.size() == 3 && e.contains("code") && e["code"].is_string() && e.contains("message") &&
                 e["message"].is_string() && e.contains("details") && e["details"].is_object(),
             "an error answer that is not {error:{code,message,details}}: " + body);
}

// Runs `f`; an exception escaping it is a bug (the code under test promises never to throw).
template <typename F>
void NoThrow(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    Violated(__FILE__, __LINE__, what, std::string("threw: ") + e.what());
  }
}

}  // namespace pilotledger::fuzz
