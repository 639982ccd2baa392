#include "ledger/tiles.h"

#include <charconv>
#include <cstdio>

namespace pilotledger::tiles {
namespace {

// A decimal with no leading zeroes, within [min, max].
bool ParseDecimal(std::string_view s, uint64_t min, uint64_t max, uint64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= min && out <= max;
}

bool ThreeDigits(std::string_view s, uint64_t& out) {
  if (s.size() != 3) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + uint64_t(c - '0');
  }
  return true;
}

}  // namespace

std::string Path(const Tile& t) {
  std::string n;
  uint64_t index = t.index;
  std::vector<std::string> groups;
  do {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%03u", unsigned(index % 1000));
    groups.insert(groups.begin(), buf);
    index /= 1000;
  } while (index > 0);
  for (size_t i = 0; i < groups.size(); ++i) n += (i ? "/" : "") + std::string(i + 1 < groups.size() ? "x" : "") + groups[i];
  std::string path = "tile/" + (t.entries ? std::string("entries") : std::to_string(t.level)) + "/" + n;
  if (t.width < kTileWidth) path += ".p/" + std::to_string(t.width);
  return path;
}

Result<Tile> ParsePath(const std::vector<std::string>& segments) {
  const Status bad(Code::kNotFound, "not a tile path");
  if (segments.size() < 2) return bad;
  Tile t;
  if (segments[0] == "entries") {
    t.entries = true;
  } else {
    uint64_t level = 0;
    if (!ParseDecimal(segments[0], 0, 63, level)) return bad;
    t.level = static_cast<uint8_t>(level);
  }
  size_t end = segments.size();
  bool partial = false;
  if (end >= 3 && segments[end - 2].size() > 2 && segments[end - 2].ends_with(".p")) {
    uint64_t w = 0;
    if (!ParseDecimal(segments[end - 1], 1, 255, w)) return bad;
    t.width = static_cast<uint32_t>(w);
    partial = true;
    end -= 1;
  }
  uint64_t index = 0;
  for (size_t i = 1; i < end; ++i) {
    std::string_view s = segments[i];
    const bool last = i + 1 == end;
    if (last && partial) s.remove_suffix(2);
    if (!last) {
      if (s.empty() || s[0] != 'x') return bad;
      s.remove_prefix(1);
    }
    uint64_t group = 0;
    if (!ThreeDigits(s, group)) return bad;
    if (index > (UINT64_MAX - group) / 1000) return bad;
    index = index * 1000 + group;
  }
  // One canonical spelling: no leading all-zero groups.
  t.index = index;
  if (Path(t) != "tile/" + [&] {
        std::string joined;
        for (size_t i = 0; i < segments.size(); ++i) joined += (i ? "/" : "") + segments[i];
        return joined;
      }()) {
    return bad;
  }
  return t;
}

bool Complete(const Tile& t, uint64_t size) {
  // The last hash covers leaves up to (index*256 + width) * 256^level.
  uint64_t leaves = t.index * kTileWidth + t.width;
  const uint8_t level = t.entries ? 0 : t.level;
  for (uint8_t l = 0; l < level; ++l) {
    if (leaves > size / kTileWidth) return false;
    leaves *= kTileWidth;
  }
  return leaves <= size;
}

uint32_t PartialWidth(uint8_t level, uint64_t size) {
  for (uint8_t l = 0; l < level && size > 0; ++l) size /= kTileWidth;
  return static_cast<uint32_t>(size % kTileWidth);
}

std::string EncodeBundle(const std::vector<std::string>& entries) {
  std::string out;
  for (const std::string& e : entries) {
    out.push_back(char((e.size() >> 8) & 0xFF));
    out.push_back(char(e.size() & 0xFF));
    out += e;
  }
  return out;
}

Result<std::vector<std::string>> DecodeBundle(std::string_view b) {
  std::vector<std::string> out;
  while (!b.empty()) {
    if (b.size() < 2) return Status(Code::kInvalidArgument, "truncated entry bundle");
    const size_t n = (size_t(uint8_t(b[0])) << 8) | size_t(uint8_t(b[1]));
    if (b.size() < 2 + n) return Status(Code::kInvalidArgument, "truncated entry bundle");
    out.emplace_back(b.substr(2, n));
    b.remove_prefix(2 + n);
  }
  return out;
}

}  // namespace pilotledger::tiles
