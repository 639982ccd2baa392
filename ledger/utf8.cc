#include "ledger/utf8.h"

#include <cstdint>

namespace pilotledger {

bool NextUtf8(std::string_view s, size_t& pos, char32_t& cp) {
  if (pos >= s.size()) return false;
  const auto b0 = uint8_t(s[pos]);
  if (b0 < 0x80) {
    cp = b0;
    ++pos;
    return true;
  }
  int len;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (pos + len > s.size()) return false;
  for (int i = 1; i < len; ++i) {
    const auto b = uint8_t(s[pos + i]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  pos += len;
  return true;
}

bool IsValidUtf8(std::string_view text) {
  size_t pos = 0;
  char32_t cp;
  while (pos < text.size()) {
    if (!NextUtf8(text, pos, cp)) return false;
  }
  return true;
}

std::string Printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";  // as server/error_text.h escapes
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  char32_t cp;
  while (pos < text.size()) {
    const size_t start = pos;
    if (NextUtf8(text, pos, cp) && cp >= 0x20 && cp != 0x7F) {
      out.append(text.substr(start, pos - start));
      continue;
    }
    const auto b = uint8_t(text[start]);
    out += "\\x";
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
    pos = start + 1;
  }
  return out;
}

}  // namespace pilotledger
