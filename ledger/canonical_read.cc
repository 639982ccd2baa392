// ReadCanonicalJson: Boost.JSON's validating SAX parser (basic_parser) building nlohmann values,
// for the bytes the ledger wrote itself. nlohmann's own lexer reads a character at a time and was
// a quarter of a replay's parsing (docs/performance.md, "Replay"); Boost.JSON's scans strings and
// numbers in bulk. The only translation unit that includes Boost.JSON (header-only: src.hpp).
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/src.hpp>

#include "ledger/canonical_json.h"

namespace pilotledger {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// Builds the value as ParseStrictJson's handler would, and refuses (returns false) whatever is
// outside the canonical subset: numbers that are not integers within ±(2^53−1), keys not in
// strictly increasing byte order (which also excludes duplicates), nesting past kMaxJsonDepth.
class Builder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec) { return Open(Json::value_t::object, ec); }
  bool on_object_end(std::size_t, error_code&) { return Close(); }
  bool on_array_begin(error_code& ec) { return Open(Json::value_t::array, ec); }
  bool on_array_end(std::size_t, error_code&) { return Close(); }
  bool on_key_part(string_view s, std::size_t, error_code&) { return part_.append(s.data(), s.size()), true; }
  bool on_key(string_view s, std::size_t, error_code& ec) {
    const std::string_view key = Whole(s);
    auto& members = stack_.back()->get_ref<Json::object_t&>();
    if (!members.empty() && !(std::prev(members.end())->first < key)) return Refuse(ec);
    slot_ = &members.emplace_hint(members.end(), std::string(key), nullptr)->second;
    part_.clear();
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) { return part_.append(s.data(), s.size()), true; }
  bool on_string(string_view s, std::size_t, error_code&) {
    Put(Json(std::string(Whole(s))));
    part_.clear();
    return true;
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(int64_t v, string_view, error_code& ec) {
    if (v < -kMaxSafeInteger || v > kMaxSafeInteger) return Refuse(ec);
    return Put(Json(v));
  }
  bool on_uint64(uint64_t v, string_view, error_code& ec) {
    if (v > static_cast<uint64_t>(kMaxSafeInteger)) return Refuse(ec);
    return Put(Json(static_cast<int64_t>(v)));
  }
  bool on_double(double, string_view, error_code& ec) { return Refuse(ec); }
  bool on_bool(bool v, error_code&) { return Put(Json(v)); }
  bool on_null(error_code&) { return Put(Json(nullptr)); }
  bool on_comment_part(string_view, error_code& ec) { return Refuse(ec); }
  bool on_comment(string_view, error_code& ec) { return Refuse(ec); }

  Json Take() { return std::move(root_); }

 private:
  // A string delivered whole, or the parts collected before its last one (escapes, long strings).
  std::string_view Whole(string_view last) {
    if (part_.empty()) return {last.data(), last.size()};
    part_.append(last.data(), last.size());
    return part_;
  }
  static bool Refuse(error_code& ec) {
    ec = boost::json::error::syntax;
    return false;
  }
  // Places `v` in the innermost container (or makes it the root); returns where it went.
  Json* Place(Json v) {
    if (stack_.empty()) return &(root_ = std::move(v));
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      auto& items = parent.get_ref<Json::array_t&>();
      items.push_back(std::move(v));
      return &items.back();
    }
    return &(*slot_ = std::move(v));
  }
  bool Put(Json v) {
    Place(std::move(v));
    return true;
  }
  bool Open(Json::value_t type, error_code& ec) {
    if (static_cast<int>(stack_.size()) >= kMaxJsonDepth) return Refuse(ec);
    stack_.push_back(Place(Json(type)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  Json root_;
  std::vector<Json*> stack_;
  Json* slot_ = nullptr;  // the member the last key made, in the innermost object
  std::string part_;
};

}  // namespace

std::optional<Json> ReadCanonicalJson(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth + 1;  // the builder counts (as ParseStrictJson does)
  // As ParseStrictJson: nothing thrown (an allocation that fails is a text not read here, and the
  // strict parser then names it), since a replay's parser threads must not end in std::terminate.
  try {
    boost::json::basic_parser<Builder> parser(options);
    error_code ec;
    const std::size_t used = parser.write_some(/*more=*/false, text.data(), text.size(), ec);
    if (ec || used != text.size()) return std::nullopt;
    return parser.handler().Take();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace pilotledger
