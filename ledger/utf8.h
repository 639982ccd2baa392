#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pilotledger {

// Decodes the UTF-8 code point at `pos` into `cp` and advances `pos`. False (and `pos` unchanged)
// for an invalid, overlong or surrogate sequence.
bool NextUtf8(std::string_view text, size_t& pos, char32_t& cp);
// True if `text` is entirely valid UTF-8.
bool IsValidUtf8(std::string_view text);
// `text` made safe to quote in a message: valid UTF-8 is kept, each invalid byte and each control
// character (below U+0020, and U+007F) becomes "\xNN". Always valid UTF-8.
std::string Printable(std::string_view text);

}  // namespace pilotledger
