#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ledger/status.h"

namespace pilotledger {

using Json = nlohmann::json;

// The largest magnitude an integer may have on the wire: 2^53 - 1 (PROTOCOL.md §1).
inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
// The deepest nesting of objects and arrays the parser accepts.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` strictly as PROTOCOL.md §1 requires: valid UTF-8, no duplicate keys, integers only
// and within ±(2^53−1), at most kMaxJsonDepth levels of nesting, nothing after the value.
// Errors: kMalformedJson (syntax, UTF-8, depth), kSchemaViolation (a fraction, exponent, an integer
// out of range, or a duplicate key), each with a message naming the position. Never throws.
Result<Json> ParseStrictJson(std::string_view text);

// The value of `text` if it is in the part of the strict language that canonical bytes are in —
// integers only and within range, every object's keys in strictly increasing byte order, at most
// kMaxJsonDepth levels — and otherwise nullopt, with no reason: the caller parses strictly for the
// error. What it returns is what ParseStrictJson returns for the same text (fuzz/canonical_json_fuzzer.cc
// checks it). Several times faster than ParseStrictJson: for bytes the ledger wrote (stored leaves).
// Throws nothing.
std::optional<Json> ReadCanonicalJson(std::string_view text);

// The canonical bytes of `value` (PROTOCOL.md §1): sorted keys, no whitespace, minimal escapes,
// raw UTF-8. REQUIRES: `value` holds no floating-point numbers and only valid UTF-8 strings
// (true of everything ParseStrictJson returns); a float is written as its integer truncation.
std::string WriteCanonical(const Json& value);
// Appends the canonical form of `value` to `out`.
void AppendCanonical(const Json& value, std::string& out);
// Appends a canonical JSON string literal (with quotes) for `text`.
void AppendCanonicalString(std::string_view text, std::string& out);

}  // namespace pilotledger
