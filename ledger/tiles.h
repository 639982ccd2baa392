#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

// C2SP tlog-tiles: tile paths, tile coordinates and entry bundles.
namespace pilotledger::tiles {

inline constexpr uint64_t kTileWidth = 256;
// The longest entry an entry bundle can hold (a big-endian uint16 length prefix).
inline constexpr size_t kMaxBundleEntry = 65535;

struct Tile {
  bool entries = false;  // an entry bundle (tile/entries/…) rather than a hash tile
  uint8_t level = 0;     // hash tiles: 0…63
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // 1…256; 256 is a full tile (no .p/ suffix)
  bool operator==(const Tile&) const = default;
};

// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]", with <N> in x-prefixed 3-digit groups.
std::string Path(const Tile& tile);
// Parses the path segments after "tile" (e.g. {"0", "x001", "234", "067.p", "5"}).
// Errors: kNotFound (not a tile path).
Result<Tile> ParsePath(const std::vector<std::string>& segments);
// The index of the first leaf the tile covers: index * 256^(level+1).
// The Merkle level of the tile's hashes (8 * level) and the index of its i-th hash at that level.
inline uint8_t NodeLevel(const Tile& t) { return static_cast<uint8_t>(8 * t.level); }
inline uint64_t NodeIndex(const Tile& t, uint64_t i) { return t.index * kTileWidth + i; }
// Whether every hash of the tile is a complete subtree of a tree of `size` leaves.
bool Complete(const Tile& t, uint64_t size);
// The partial tile width at `level` for `size` leaves: floor(size / 256^level) mod 256.
uint32_t PartialWidth(uint8_t level, uint64_t size);

// Big-endian uint16 length-prefixed entries. REQUIRES: each entry is at most kMaxBundleEntry bytes.
std::string EncodeBundle(const std::vector<std::string>& entries);
// Errors: kInvalidArgument (truncated).
Result<std::vector<std::string>> DecodeBundle(std::string_view bundle);

}  // namespace pilotledger::tiles
