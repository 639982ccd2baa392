// The canonical JSON parser (PROTOCOL.md §1): ParseStrictJson never throws; what it accepts is
// valid UTF-8 within the limits, and its canonical form parses back to the same value and is a
// fixed point (parse → serialize → parse → serialize gives the same bytes); what it refuses gets
// malformed_json or schema_violation with a well-formed message. ReadCanonicalJson (the stored
// leaves' fast reader) accepts only what ParseStrictJson accepts, with the same value, and accepts
// every canonical form.
#include "fuzz/fuzz_util.h"

namespace pilotledger::fuzz {
namespace {

int Depth(const Json& j) {
  int d = 0;
  if (j.is_structured()) {
    for (const Json& v : j) d = std::max(d, Depth(v));
    ++d;
  }
  return d;
}

// Equal and of the same types throughout: nlohmann's == holds an integer equal to an unsigned one.
bool Identical(const Json& a, const Json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto i = a.begin(), k = b.begin(); i != a.end(); ++i, ++k) {
      if (i.key() != k.key() || !Identical(*i, *k)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Identical(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

void CheckValue(const Json& j) {
  switch (j.type()) {
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      const int64_t v = j.get<int64_t>();
      FUZZ_CHECK(v >= -kMaxSafeInteger && v <= kMaxSafeInteger, "an integer out of range: " + j.dump());
      break;
    }
    case Json::value_t::number_float: FUZZ_CHECK(false, "a float accepted"); break;
    case Json::value_t::binary:
    case Json::value_t::discarded: FUZZ_CHECK(false, "a binary or discarded value accepted"); break;
    case Json::value_t::string: FUZZ_CHECK(IsValidUtf8(j.get_ref<const std::string&>()), "a string that is not UTF-8"); break;
    case Json::value_t::object:
      for (const auto& [k, v] : j.items()) {
        FUZZ_CHECK(IsValidUtf8(k), "a key that is not UTF-8");
        CheckValue(v);
      }
      break;
    case Json::value_t::array:
      for (const Json& v : j) CheckValue(v);
      break;
    default: break;
  }
}

}  // namespace
}  // namespace pilotledger::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  const std::string_view text = AsText(data, size);
  Result<Json> parsed = Status(Code::kInternal, "not run");
  NoThrow("ParseStrictJson", [&] { parsed = ParseStrictJson(text); });
  std::optional<Json> read;
  NoThrow("ReadCanonicalJson", [&] { read = ReadCanonicalJson(text); });
  FUZZ_CHECK(!read || (parsed.ok() && Identical(*read, *parsed)), "ReadCanonicalJson accepted what ParseStrictJson refuses or read another value");
  if (!parsed.ok()) {
    CheckError(parsed.status());
    const Code c = parsed.status().code();
    FUZZ_CHECK(c == Code::kMalformedJson || c == Code::kSchemaViolation, parsed.status().ToString());
    return 0;
  }
  FUZZ_CHECK(IsValidUtf8(text), "accepted input that is not UTF-8");
  CheckValue(*parsed);
  FUZZ_CHECK(Depth(*parsed) <= kMaxJsonDepth, "nesting deeper than the limit accepted");
  const std::string canonical = WriteCanonical(*parsed);
  FUZZ_CHECK(IsValidUtf8(canonical), "canonical form is not UTF-8");
  Result<Json> again = ParseStrictJson(canonical);
  FUZZ_CHECK(again.ok(), "the canonical form does not parse: " + again.status().ToString() + " in " + canonical);
  FUZZ_CHECK(*again == *parsed, "the canonical form parses to another value: " + canonical);
  FUZZ_CHECK(WriteCanonical(*again) == canonical, "canonical form is not a fixed point: " + canonical);
  std::optional<Json> read_canonical;
  NoThrow("ReadCanonicalJson", [&] { read_canonical = ReadCanonicalJson(canonical); });
  FUZZ_CHECK(read_canonical && Identical(*read_canonical, *parsed), "ReadCanonicalJson does not read a canonical form: " + canonical);
  return 0;
}
