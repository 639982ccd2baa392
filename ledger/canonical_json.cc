#include "ledger/canonical_json.h"

#include <vector>

#include "ledger/utf8.h"

namespace pilotledger {
namespace {

// A SAX handler that builds the document and enforces the protocol's restrictions, so that nothing
// the protocol forbids ever reaches a Json value.
class StrictHandler {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  bool null() { return Put(Json(nullptr)); }
  bool boolean(bool v) { return Put(Json(v)); }
  bool number_integer(number_integer_t v) {
    if (v < -kMaxSafeInteger || v > kMaxSafeInteger) return OutOfRange(std::to_string(v));
    return Put(Json(v));
  }
  bool number_unsigned(number_unsigned_t v) {
    if (v > static_cast<number_unsigned_t>(kMaxSafeInteger)) return OutOfRange(std::to_string(v));
    return Put(Json(static_cast<number_integer_t>(v)));
  }
  bool number_float(number_float_t, const string_t& raw) {
    if (raw.find_first_of(".eE") == std::string::npos) return OutOfRange(raw);
    return Fail(Code::kSchemaViolation,
                "number " + raw + " has a fraction or exponent; only integers are allowed");
  }
  bool string(string_t& v) { return Put(Json(std::move(v))); }
  bool binary(binary_t&) { return Fail(Code::kMalformedJson, "binary values are not JSON"); }
  bool start_object(std::size_t) { return Open(Json::object()); }
  bool key(string_t& k) {
    Json& object = *stack_.back();
    if (object.contains(k)) return Fail(Code::kSchemaViolation, "duplicate key \"" + k + "\"");
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(Json::array()); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    if (status_.ok()) {
      status_ = Status(Code::kMalformedJson,
                       "invalid JSON at byte " + std::to_string(position) + ": " + Describe(e.what()));
    }
    return false;
  }

  Result<Json> Take() {
    if (!status_.ok()) return status_;
    return std::move(root_);
  }

 private:
  static std::string Describe(std::string_view what) {
    // nlohmann messages start with "[json.exception.parse_error.101] parse error at line 1, column
    // 2: " and quote the input they last read, raw: keep the rest, with those bytes escaped.
    if (const auto pos = what.find(": "); pos != std::string_view::npos) what.remove_prefix(pos + 2);
    return Printable(what);
  }
  bool OutOfRange(const std::string& raw) {
    return Fail(Code::kSchemaViolation, "integer " + raw + " is outside ±(2^53−1)");
  }
  bool Fail(Code code, std::string message) {
    if (status_.ok()) status_ = Status(code, std::move(message));
    return false;
  }
  // Inserts `v` into the innermost container (or makes it the root); returns the inserted value.
  Json* Insert(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    return &(parent[key_] = std::move(v));
  }
  bool Put(Json v) {
    Insert(std::move(v));
    return true;
  }
  bool Open(Json container) {
    if (static_cast<int>(stack_.size()) >= kMaxJsonDepth) {
      return Fail(Code::kMalformedJson,
                  "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    stack_.push_back(Insert(std::move(container)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  Json root_;
  std::vector<Json*> stack_;
  std::string key_;
  Status status_;
};

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

Result<Json> ParseStrictJson(std::string_view text) {
  // nlohmann's lexer takes a NUL byte for the end of the input and would ignore whatever follows
  // it ("1\0garbage" parsed as 1; found by fuzz/canonical_json_fuzzer.cc). A NUL is never valid
  // JSON text: inside a string it must be escaped, outside one it is not a token.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return Status(Code::kMalformedJson, "invalid JSON at byte " + std::to_string(nul) + ": a NUL byte");
  }
  StrictHandler handler;
  try {
    const bool ok = Json::sax_parse(text.begin(), text.end(), &handler, Json::input_format_t::json,
                                    /*strict=*/true, /*ignore_comments=*/false);
    if (!ok) {
      Result<Json> r = handler.Take();
      if (r.ok()) return Status(Code::kMalformedJson, "invalid JSON");
      return r;
    }
  } catch (const std::exception& e) {
    return Status(Code::kMalformedJson, "invalid JSON: " + Printable(e.what()));
  }
  return handler.Take();
}

void AppendCanonicalString(std::string_view text, std::string& out) {
  out.push_back('"');
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendCanonical(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(value.get<int64_t>()); break;
    case Json::value_t::number_unsigned: out += std::to_string(value.get<uint64_t>()); break;
    case Json::value_t::number_float: out += std::to_string(static_cast<int64_t>(value.get<double>())); break;
    case Json::value_t::string: AppendCanonicalString(value.get_ref<const std::string&>(), out); break;
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out.push_back(',');
        first = false;
        AppendCanonical(item, out);
      }
      out.push_back(']');
      break;
    }
    case Json::value_t::object: {
      // nlohmann::json keeps members in a std::map: already sorted by byte order.
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        if (!first) out.push_back(',');
        first = false;
        AppendCanonicalString(k, out);
        out.push_back(':');
        AppendCanonical(v, out);
      }
      out.push_back('}');
      break;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded: out += "null"; break;
  }
}

std::string WriteCanonical(const Json& value) {
  std::string out;
  AppendCanonical(value, out);
  return out;
}

}  // namespace pilotledger
