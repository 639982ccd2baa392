#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pilotledger {

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(std::string_view bytes);
// Strict decoding: the padded standard alphabet only, no whitespace, zero unused bits.
// Returns nullopt for anything else, so that every byte string has exactly one encoding.
std::optional<std::string> Base64Decode(std::string_view text);

// Lowercase hex.
std::string HexEncode(std::string_view bytes);
// Accepts upper- or lowercase; nullopt for odd lengths or other characters.
std::optional<std::string> HexDecode(std::string_view text);

// Big-endian fixed-width encodings used in storage keys, so that byte order is numeric order.
std::string EncodeBigEndian64(uint64_t value);
uint64_t DecodeBigEndian64(std::string_view bytes);  // REQUIRES: bytes.size() >= 8

}  // namespace pilotledger
