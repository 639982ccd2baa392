// The text of an error answer, made safe to send whatever the request held: request bytes are
// escaped, filesystem paths in server-side failures are left out (docs/protocol.md §14).
#pragma once

#include <string>
#include <string_view>

#include "ledger/canonical_json.h"
#include "ledger/status.h"

namespace pilotledger::server {

// `text` with everything but printable UTF-8 escaped: a byte that is not part of valid UTF-8
// (invalid, overlong, a surrogate, truncated) and every C0 control and DEL as `\xNN`; C1 controls,
// U+2028/U+2029 and the bidirectional controls (U+202A–U+202E, U+2066–U+2069) as `\u{XXXX}`; a
// backslash as `\\`, so that no escape is ambiguous. Valid printable text (any script) is kept.
std::string EscapeUntrusted(std::string_view text);

// `text` with each absolute filesystem path (a `/` at the start or after a space, `(`, `'`, `"`
// or `=`, followed by at least one more `/`) replaced by `<path>`.
std::string RedactPaths(std::string_view text);

// The body of an error answer, {"error":{"code","details","message"}}: the message and every string
// in the details (keys too) go through EscapeUntrusted, and for 5xx codes (storage and internal
// failures, whose text may come from RocksDB or the file system) through RedactPaths first.
Json ErrorBody(const Status& status);

}  // namespace pilotledger::server
