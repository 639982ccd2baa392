#pragma once

#include <cstddef>
#include <string_view>

namespace pilotledger {

// Decodes the UTF-8 code point at `pos` into `cp` and advances `pos`. False (and `pos` unchanged)
// for an invalid, overlong or surrogate sequence.
bool NextUtf8(std::string_view text, size_t& pos, char32_t& cp);
// True if `text` is entirely valid UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace pilotledger
