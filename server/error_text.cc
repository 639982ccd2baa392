#include "server/error_text.h"

#include <cstdio>

#include "ledger/utf8.h"

namespace pilotledger::server {
namespace {

bool Unprintable(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

Json EscapeStrings(const Json& value, bool redact) {
  const auto text = [redact](const std::string& s) { return EscapeUntrusted(redact ? RedactPaths(s) : s); };
  if (value.is_string()) return text(value.get<std::string>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(EscapeStrings(item, redact));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : value.items()) out[text(k)] = EscapeStrings(v, redact);
    return out;
  }
  return value;
}

}  // namespace

std::string EscapeUntrusted(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    char32_t cp = 0;
    if (!NextUtf8(text, pos, cp)) {
      std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(static_cast<unsigned char>(text[pos])));
      out += buf;
      ++pos;
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (cp < 0x80 && Unprintable(cp)) {
      std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(cp));
      out += buf;
    } else if (Unprintable(cp)) {
      std::snprintf(buf, sizeof buf, "\\u{%04X}", unsigned(cp));
      out += buf;
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

std::string RedactPaths(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const bool boundary = i == 0 || std::string_view(" ('\"=").find(text[i - 1]) != std::string_view::npos;
    if (text[i] == '/' && boundary) {
      size_t end = i;
      while (end < text.size() && std::string_view(" \t\n)'\",;").find(text[end]) == std::string_view::npos) ++end;
      // "While appending to file: /d/db/000008.log:" ends a path with a colon before a space.
      size_t stop = end;
      while (stop > i + 1 && text[stop - 1] == ':') --stop;
      if (text.substr(i + 1, stop - i - 1).find('/') != std::string_view::npos) {
        out += "<path>";
        i = stop;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

Json ErrorBody(const Status& status) {
  const bool redact = HttpStatus(status.code()) >= 500;
  return EscapeStrings(status.ToJson(), redact);
}

}  // namespace pilotledger::server
