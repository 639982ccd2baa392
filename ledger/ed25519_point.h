#pragma once

#include <string_view>

// Curve-point checks on Ed25519 public-key encodings (field arithmetic with OpenSSL BIGNUMs); the
// keys, signatures and hashes themselves are in ledger/crypto.h.
namespace pilotledger {

// True for the encodings of points of small order, canonical or not (the sign bit is ignored).
bool IsSmallOrderEd25519Key(std::string_view raw);
// True if `raw` is the canonical encoding of a point on the Ed25519 curve (RFC 8032 §5.1.3).
bool IsEd25519Point(std::string_view raw);

}  // namespace pilotledger
