// Request framing checks the HTTP parser does not make, applied to the raw header block before it
// is parsed (docs/protocol.md §12): anything that lets two parsers disagree on where a request ends
// is refused with 400 bad_request and the connection is closed.
#pragma once

#include <cstddef>
#include <string_view>

#include "ledger/status.h"

namespace pilotledger::server {

// The size of the header block at the start of `data` (the request line, the header lines and the
// empty line), or 0 if `data` does not hold it whole yet. A bare LF ends a line too, so that a
// header block Beast will refuse is handed to it rather than waited on.
size_t HeaderBlockSize(std::string_view data);

// Refuses (kInvalidArgument) a header block with an obs-fold (a header line starting with a space or
// tab), more than one Content-Length or Transfer-Encoding line (even with equal values), both a
// Content-Length and a Transfer-Encoding, a Content-Length that is not one decimal number (a list
// "5, 5", a sign), or a Transfer-Encoding other than exactly `chunked`. Field names and the coding
// are compared case-insensitively.
Status CheckFraming(std::string_view header_block);

}  // namespace pilotledger::server
