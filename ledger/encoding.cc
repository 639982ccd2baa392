#include "ledger/encoding.h"

#include <array>

namespace pilotledger {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr auto kDecode = MakeDecodeTable();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (rest == 2) n |= uint8_t(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  const size_t pad = text.empty() ? 0 : text.back() != '=' ? 0 : text[text.size() - 2] == '=' ? 2 : 1;
  // Written in place (one allocation, no per-byte push_back): a signature's 88 characters are
  // decoded for every stored entry a replay reads (docs/performance.md, "Replay").
  std::string out(text.size() / 4 * 3 - pad, '\0');
  const auto value = [&](size_t i, uint32_t& n, int shift) {
    const int v = kDecode[static_cast<unsigned char>(text[i])];
    n |= uint32_t(v) << shift;
    return v >= 0;
  };
  size_t o = 0;
  const size_t full = pad ? text.size() - 4 : text.size();
  for (size_t i = 0; i < full; i += 4) {
    uint32_t n = 0;
    // All four looked up before one test (no branch per character); && would stop at the first.
    const bool ok = value(i, n, 18);
    const bool ok1 = value(i + 1, n, 12);
    const bool ok2 = value(i + 2, n, 6);
    const bool ok3 = value(i + 3, n, 0);
    if (!(ok && ok1 && ok2 && ok3)) return std::nullopt;
    out[o++] = char(n >> 16);
    out[o++] = char(n >> 8);
    out[o++] = char(n);
  }
  if (pad) {
    const size_t i = full;
    uint32_t n = 0;
    if (!value(i, n, 18) || !value(i + 1, n, 12) || (pad == 1 && !value(i + 2, n, 6))) return std::nullopt;
    // The bits past the last byte must be zero: one encoding per byte string.
    if ((pad == 1 && (n & 0xFF) != 0) || (pad == 2 && (n & 0xFFFF) != 0)) return std::nullopt;
    out[o++] = char(n >> 16);
    if (pad == 1) out[o++] = char(n >> 8);
  }
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    out.push_back(kHex[uint8_t(c) >> 4]);
    out.push_back(kHex[uint8_t(c) & 0xF]);
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(char(hi << 4 | lo));
  }
  return out;
}

std::string EncodeBigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = char(value & 0xFF);
  return out;
}

uint64_t DecodeBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(bytes[i]);
  return v;
}

}  // namespace pilotledger
