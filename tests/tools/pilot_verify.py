#!/usr/bin/python3
"""Independent PilotLedger verifier.

Written from the wire contract (PROTOCOL.md) alone; it shares no code with the C++ server.
Only the Python standard library and `cryptography` (Ed25519) are used. Run it with
/usr/bin/python3 (Debian's python3-cryptography):

    /usr/bin/python3 tests/tools/pilot_verify.py --url http://127.0.0.1:PORT \
        [--ledger-key VKEY] [--auth-key PEM --auth-actor ID]

It fetches the ledger's verifier key and latest checkpoint, checks the checkpoint signature
(C2SP signed-note, sumdb/note semantics), replays every entry up to the checkpoint size
(sequence numbers, canonical leaves, the genesis entry, actor registry, Ed25519 signatures of
registered and not revoked actors), recomputes the RFC 9162 Merkle root and checks it against the
checkpoint, and checks inclusion and consistency proofs served by the ledger against roots it
computes itself. On success it prints one JSON line
    {"ok":true,"size":N,"signatures":K,"redacted":R,"root":"<base64>"}
and exits 0; otherwise it prints the first failure (naming the seq) to stderr and exits 1.

Importable pieces: canonical, parse_json, leaf_hash, node_hash, merkle_root, inclusion_path,
consistency_path, verify_inclusion, verify_consistency, parse_verifier_key, make_verifier_key,
open_note, sign_note, parse_checkpoint, verify_entries, read_auth_header, verify_ledger.
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import random
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "VerifyError", "NoteError", "canonical", "parse_json", "b64decode", "b64encode",
    "leaf_hash", "node_hash", "merkle_root", "inclusion_path", "consistency_path",
    "verify_inclusion", "verify_consistency", "is_small_order", "parse_verifier_key",
    "make_verifier_key", "open_note", "sign_note", "parse_checkpoint", "event_signing_input",
    "verify_entries", "read_auth_header", "verify_ledger", "main",
]

EVENT_CONTEXT = b"pilotledger:event:v1\n"
READ_CONTEXT = b"pilotledger:read:v1\n"
MAX_SAFE_INT = 2 ** 53 - 1

EVENT_TYPES = frozenset([
    "ledger.genesis", "actor.registered", "actor.revoked", "campaign.opened",
    "campaign.amended", "quota.exception", "submission.filed", "recommendation.issued",
    "review.requested", "review.recommended", "score.recorded", "spotcheck.recorded",
    "publication.issued", "objection.filed", "objection.resolved", "title.granted",
    "review.passed", "title.revoked", "review.scope", "review.requirements",
    "application.rejected", "review.failed", "campaign.closed", "assessment.recorded", "ledger.key_rotated",
])
ROLES = frozenset(["ministry", "provincial", "soe_group", "expert", "applicant", "auditor"])


def is_public_type(t):
    """Entry types readable by anyone (PROTOCOL §7 'Read access')."""
    return (t in ("ledger.genesis", "campaign.opened", "campaign.amended",
                  "publication.issued", "review.passed", "review.scope", "review.requirements",
                  "campaign.closed", "ledger.key_rotated")
            or t.startswith("actor.") or t.startswith("title."))


class VerifyError(Exception):
    """A verification failure; `seq` names the entry concerned (None if not entry-specific)."""

    def __init__(self, message, seq=None):
        super().__init__(message)
        self.seq = seq
        self.message = message

    def __str__(self):
        if self.seq is None:
            return self.message
        return "seq %d: %s" % (self.seq, self.message)


class NoteError(Exception):
    """A signed note that is malformed or does not verify."""


# ---------------------------------------------------------------------------------------------
# Canonical JSON (PROTOCOL §1)

_ESCAPE_RE = re.compile(r'[\x00-\x1f"\\]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                  "\r": "\\r", "\t": "\\t"}


def _escape_char(m):
    ch = m.group(0)
    short = _SHORT_ESCAPES.get(ch)
    if short is not None:
        return short
    return "\\u%04x" % ord(ch)


def _canon(v, out):
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif type(v) is int:
        if not -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
            raise ValueError("integer out of range [-(2^53-1), 2^53-1]: %d" % v)
        out.append(str(v))
    elif type(v) is str:
        out.append('"')
        out.append(_ESCAPE_RE.sub(_escape_char, v))
        out.append('"')
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _canon(item, out)
        out.append("]")
    elif isinstance(v, dict):
        keys = list(v.keys())
        for k in keys:
            if type(k) is not str:
                raise ValueError("object key is not a string: %r" % (k,))
        # Sort by UTF-8 bytes (= code point order; keys are ASCII in practice).
        keys.sort(key=lambda k: k.encode("utf-8", "strict"))
        out.append("{")
        for i, k in enumerate(keys):
            if i:
                out.append(",")
            _canon(k, out)
            out.append(":")
            _canon(v[k], out)
        out.append("}")
    elif isinstance(v, float):
        raise ValueError("non-integer number %r is not allowed" % v)
    else:
        raise ValueError("value of type %s is not JSON" % type(v).__name__)


def canonical(value):
    """The canonical JSON bytes of `value` (integer-only JCS subset). Raises ValueError."""
    out = []
    _canon(value, out)
    try:
        return "".join(out).encode("utf-8", "strict")
    except UnicodeEncodeError as e:
        raise ValueError("string is not valid Unicode (lone surrogate): %s" % e)


def _reject_float(s):
    raise ValueError("number with fraction or exponent: %s" % s)


def _reject_constant(s):
    raise ValueError("invalid JSON constant: %s" % s)


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def parse_json(data):
    """Parse JSON strictly: UTF-8, no duplicate keys, integers only (in the safe range)."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8", "strict")
        except UnicodeDecodeError as e:
            raise ValueError("JSON is not UTF-8: %s" % e)
    v = json.loads(data, object_pairs_hook=_no_duplicates, parse_float=_reject_float,
                   parse_constant=_reject_constant)
    canonical(v)  # range checks, lone surrogates
    return v


# ---------------------------------------------------------------------------------------------
# Base64 (RFC 4648 §4, standard alphabet, padded)

_B64_RE = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


def b64decode(s, strict=True):
    """Decode standard padded base64. strict=True also requires zero unused bits (the
    canonical encoding); strict=False accepts them, like Go's base64.StdEncoding."""
    if not isinstance(s, str) or not _B64_RE.match(s):
        raise ValueError("not standard padded base64: %r" % (s,))
    raw = base64.b64decode(s)
    if strict and base64.b64encode(raw).decode("ascii") != s:
        raise ValueError("non-canonical base64: %r" % (s,))
    return raw


def b64encode(b):
    return base64.b64encode(b).decode("ascii")


# ---------------------------------------------------------------------------------------------
# RFC 9162 Merkle tree

def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaf_hashes):
    """MTH over the given leaf hashes (RFC 9162 §2.1.1). Empty tree: SHA-256('')."""
    level = list(leaf_hashes)
    if not level:
        return hashlib.sha256(b"").digest()
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])  # an unpaired right-most node moves up unchanged
        level = nxt
    return level[0]


def _split(n):
    """Largest power of two strictly smaller than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def inclusion_path(leaf_hashes, m):
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(leaf_hashes)
    if not 0 <= m < n:
        raise ValueError("index out of range")
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return inclusion_path(leaf_hashes[:k], m) + [merkle_root(leaf_hashes[k:])]
    return inclusion_path(leaf_hashes[k:], m - k) + [merkle_root(leaf_hashes[:k])]


def consistency_path(leaf_hashes, m):
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (0 < m <= n)."""
    n = len(leaf_hashes)
    if not 0 < m <= n:
        raise ValueError("size out of range")

    def subproof(m, d, b):
        n = len(d)
        if m == n:
            return [] if b else [merkle_root(d)]
        k = _split(n)
        if m <= k:
            return subproof(m, d[:k], b) + [merkle_root(d[k:])]
        return subproof(m - k, d[k:], False) + [merkle_root(d[:k])]

    return subproof(m, leaf_hashes, True)


def _all_hashes(*hs):
    return all(isinstance(h, (bytes, bytearray)) and len(h) == 32 for h in hs)


def verify_inclusion(leaf_hash_, index, size, proof, root):
    """RFC 9162 §2.1.3.2. All hashes must be 32-byte strings. Returns True/False."""
    if not _all_hashes(leaf_hash_, root, *proof):
        return False
    if type(index) is not int or type(size) is not int or index < 0 or index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash_
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 §2.1.4.2, for 0 < size1 <= size2 (size1 == size2: the proof must be empty and
    the roots equal). All hashes must be 32-byte strings. Returns True/False."""
    if not _all_hashes(root1, root2, *proof):
        return False
    if type(size1) is not int or type(size2) is not int or size1 <= 0 or size1 > size2:
        return False
    if size1 == size2:
        return len(proof) == 0 and root1 == root2
    if not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # exact power of two
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


# ---------------------------------------------------------------------------------------------
# Ed25519 helpers

_P = 2 ** 255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _edwards_add(a, b):
    (x1, y1), (x2, y2) = a, b
    t = _D * x1 * x2 * y1 * y2 % _P
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, _P - 2, _P) % _P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, _P - 2, _P) % _P
    return (x3, y3)


def is_small_order(pub):
    """True if the 32-byte encoding decodes (y taken mod p, sign bit ignored, i.e. also for
    non-canonical encodings) to a point of order dividing 8."""
    if len(pub) != 32:
        return False
    y = int.from_bytes(pub, "little") & ((1 << 255) - 1)
    y %= _P
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x2 = u * pow(v, _P - 2, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if x * x % _P != x2:
        x = x * _SQRT_M1 % _P
        if x * x % _P != x2:
            return False  # not on the curve at all
    pt = (x, y)
    for _ in range(3):
        pt = _edwards_add(pt, pt)
    return pt == (0, 1)


# The y coordinates (sign bit cleared) of the small-order encodings, docs/protocol.md section 4's
# table: what is_small_order computes, as a set for the per-signature check.
_SMALL_ORDER_YS = frozenset(int.from_bytes(bytes.fromhex(h), "little") for h in (
    "00" * 32, "01" + "00" * 31,
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ec" + "ff" * 30 + "7f", "ed" + "ff" * 30 + "7f", "ee" + "ff" * 30 + "7f"))


def _small_order_encoding(b):
    return int.from_bytes(b, "little") & ((1 << 255) - 1) in _SMALL_ORDER_YS


def _ed25519_verify(pub, sig, msg):
    """RFC 8032 verification via OpenSSL (which requires S < L), refusing a small-order R as
    libsodium does and the server does before either (docs/protocol.md section 4)."""
    if len(pub) != 32 or len(sig) != 64 or _small_order_encoding(sig[:32]):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
        return True
    except (InvalidSignature, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# C2SP signed notes (semantics of golang.org/x/mod/sumdb/note.Open)

class Verifier:
    def __init__(self, name, key_id, pubkey, vkey):
        self.name, self.key_id, self.pubkey, self.vkey = name, key_id, pubkey, vkey

    def verify(self, msg, sig):
        return _ed25519_verify(self.pubkey, sig, msg)


class Note:
    def __init__(self, text, sigs, unverified):
        self.text = text              # str, ends with "\n"
        self.sigs = sigs              # verified: list of (name, key_id, base64)
        self.unverified = unverified  # unknown keys: list of (name, key_id, base64)


_WS = set(" \t\n\v\f\r\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200b)}


def _valid_name(name):
    return bool(name) and "+" not in name and not any(c in _WS for c in name)


def _key_id(name, alg_and_key):
    return int.from_bytes(
        hashlib.sha256(name.encode("utf-8") + b"\n" + alg_and_key).digest()[:4], "big")


def parse_verifier_key(vkey):
    """Parse `<name>+<8 hex key id>+<base64(0x01 || pubkey)>`; checks the key id. Raises
    NoteError. Returns a Verifier."""
    if not isinstance(vkey, str):
        raise NoteError("verifier key is not a string")
    name, _, rest = vkey.partition("+")
    hex8, _, b64 = rest.partition("+")
    if len(hex8) != 8 or not re.fullmatch(r"[0-9A-Fa-f]{8}", hex8) or not _valid_name(name):
        raise NoteError("malformed verifier key %r" % vkey)
    try:
        key = b64decode(b64, strict=False)
    except ValueError:
        raise NoteError("malformed verifier key %r" % vkey)
    if not key:
        raise NoteError("malformed verifier key %r" % vkey)
    if int(hex8, 16) != _key_id(name, key):
        raise NoteError("verifier key %r: key id does not match the key" % vkey)
    if key[0] != 0x01:
        raise NoteError("verifier key %r: unknown algorithm %d" % (vkey, key[0]))
    if len(key) != 33:
        raise NoteError("verifier key %r: Ed25519 key is not 32 bytes" % vkey)
    return Verifier(name, int(hex8, 16), key[1:], vkey)


def make_verifier_key(name, pubkey):
    """The verifier key string for an Ed25519 public key (32 raw bytes)."""
    k = b"\x01" + pubkey
    return "%s+%08x+%s" % (name, _key_id(name, k), b64encode(k))


def sign_note(text, name, private_key):
    """Sign `text` (str ending in newline) as a C2SP note with an Ed25519PrivateKey."""
    pub = private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
    kid = _key_id(name, b"\x01" + pub)
    sig = private_key.sign(text.encode("utf-8"))
    return "%s\n\u2014 %s %s\n" % (text, name, b64encode(kid.to_bytes(4, "big") + sig))


def open_note(msg, verifier_keys):
    """Open a signed note with sumdb/note semantics. `msg` is bytes or str; `verifier_keys` are
    verifier key strings (or Verifier objects). The last blank line separates text from
    signatures; every signature line must be '— <name> <base64(keyid||sig)>'; signatures by
    unknown (name, key id) are ignored; every known one must verify and at least one must.
    Returns a Note; raises NoteError."""
    if isinstance(msg, str):
        msg = msg.encode("utf-8", "surrogatepass")
    try:
        s = msg.decode("utf-8", "strict")
    except UnicodeDecodeError:
        raise NoteError("malformed note: not UTF-8")
    for ch in s:
        if ch < " " and ch != "\n":
            raise NoteError("malformed note: control character")
    verifiers = [v if isinstance(v, Verifier) else parse_verifier_key(v) for v in verifier_keys]
    split = s.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no signature block")
    text, sigs = s[:split + 1], s[split + 2:]
    if not sigs or not sigs.endswith("\n"):
        raise NoteError("malformed note: signature block must end with a newline")
    text_bytes = text.encode("utf-8")
    verified, unverified = [], []
    seen, seen_unverified = set(), set()
    count = 0
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise NoteError("malformed note: bad signature line %r" % line)
        body = line[2:]
        name, _, b64 = body.partition(" ")
        try:
            raw = b64decode(b64, strict=False) if b64 else b""
        except ValueError:
            raise NoteError("malformed note: bad signature encoding")
        if not _valid_name(name) or not b64 or len(raw) < 5:
            raise NoteError("malformed note: bad signature line %r" % line)
        kid = int.from_bytes(raw[:4], "big")
        sig = raw[4:]
        count += 1
        if count > 100:
            raise NoteError("malformed note: too many signatures")
        matches = [v for v in verifiers if v.name == name and v.key_id == kid]
        if not matches:
            if body not in seen_unverified:
                seen_unverified.add(body)
                unverified.append((name, kid, b64))
            continue
        if len(matches) > 1:
            raise NoteError("ambiguous key %s+%08x" % (name, kid))
        if (name, kid) in seen:
            continue
        seen.add((name, kid))
        if not matches[0].verify(text_bytes, sig):
            raise NoteError("invalid signature for key %s+%08x" % (name, kid))
        verified.append((name, kid, b64))
    if not verified:
        raise NoteError("note has no verifiable signatures")
    return Note(text, verified, unverified)


_DEC_RE = re.compile(r"^(0|[1-9][0-9]{0,19})$")


def parse_checkpoint(text):
    """Parse the text of a C2SP tlog-checkpoint: returns (origin, size, root bytes).
    Extension lines after the root are allowed (and ignored)."""
    if not text.endswith("\n"):
        raise ValueError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise ValueError("checkpoint needs origin, size and root lines")
    origin, size_s, root_s = lines[0], lines[1], lines[2]
    if not origin:
        raise ValueError("empty origin")
    if not _DEC_RE.match(size_s) or int(size_s) >= 2 ** 64:
        raise ValueError("bad tree size %r" % size_s)
    root = b64decode(root_s, strict=True)
    if len(root) != 32:
        raise ValueError("root hash is not 32 bytes")
    for ext in lines[3:]:
        if not ext:
            raise ValueError("empty extension line")
    return origin, int(size_s), root


# ---------------------------------------------------------------------------------------------
# Entries

_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$")
_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _check_time(s):
    if type(s) is not str:
        return False
    m = _TIME_RE.match(s)
    if not m:
        return False
    y, mo, d, h, mi, se = (int(g) for g in m.groups()[:6])
    try:
        datetime.datetime(y, mo, d, h, mi, se)
    except ValueError:
        return False
    return True


def event_signing_input(event):
    return EVENT_CONTEXT + canonical(event)


def _check_actor_descriptor(desc, seq, what):
    if not isinstance(desc, dict):
        raise VerifyError("%s is not an object" % what, seq)
    for f in ("actor", "role", "public_key", "name"):
        if type(desc.get(f)) is not str or not desc.get(f):
            raise VerifyError("%s: missing or non-string %r" % (what, f), seq)
    for f in ("region", "department", "unit"):
        if f in desc and type(desc[f]) is not str:
            raise VerifyError("%s: %r is not a string" % (what, f), seq)
    if desc["role"] not in ROLES:
        raise VerifyError("%s: unknown role %r" % (what, desc["role"]), seq)
    try:
        pub = b64decode(desc["public_key"], strict=False)
    except ValueError as e:
        raise VerifyError("%s: public_key: %s" % (what, e), seq)
    if len(pub) != 32:
        raise VerifyError("%s: public_key is %d bytes, not 32" % (what, len(pub)), seq)
    if is_small_order(pub):
        raise VerifyError("%s: public_key of actor %r is a small-order point"
                          % (what, desc["actor"]), seq)
    return desc["actor"], pub


def check_key_rotation(e, trusted_key, seq):
    """A ledger.key_rotated entry (PROTOCOL.md §11) from `trusted_key`: body {old_key, new_key}
    with old_key == trusted_key and new_key a verifier key of the same name; exactly the two
    signatures "ledger-key-old" (by the old key) and "ledger-key-new" (by the new key) over the
    usual event signing input. Returns the new key string; raises VerifyError naming `seq`."""
    ev = e.get("event") if isinstance(e, dict) else None
    if not isinstance(ev, dict) or ev.get("type") != "ledger.key_rotated":
        raise VerifyError("the key rotation entry is not a ledger.key_rotated", seq)
    body = ev.get("body")
    if not isinstance(body, dict) or set(body) != {"old_key", "new_key"}:
        raise VerifyError("ledger.key_rotated body must be exactly {old_key, new_key}", seq)
    if body["old_key"] != trusted_key:
        raise VerifyError("key rotation: old_key %r is not the trusted ledger key %r"
                          % (body["old_key"], trusted_key), seq)
    try:
        old = parse_verifier_key(body["old_key"])
        new = parse_verifier_key(body["new_key"])
    except NoteError as err:
        raise VerifyError("key rotation: %s" % err, seq)
    if new.name != old.name:
        raise VerifyError("key rotation: new_key names %r, not %r" % (new.name, old.name), seq)
    sigs = e.get("sigs")
    if not isinstance(sigs, list) or len(sigs) != 2:
        raise VerifyError("key rotation: must carry exactly the old and the new key's signatures",
                          seq)
    msg = EVENT_CONTEXT + canonical(ev)
    by = {"ledger-key-old": old, "ledger-key-new": new}
    for s in sigs:
        v = by.pop(s.get("signer"), None) if isinstance(s, dict) else None
        try:
            sig = b64decode(s.get("sig", ""), strict=False) if isinstance(s, dict) else b""
        except ValueError:
            sig = b""
        if v is None or not v.verify(msg, sig):
            raise VerifyError("key rotation: the signature by %r is not valid"
                              % (s.get("signer") if isinstance(s, dict) else None), seq)
    return body["new_key"]


def follow_key_rotations(c, trusted_key):
    """The keys /v1/ledger-keys lists after `trusted_key`, each rotation entry checked with
    check_key_rotation before its key is trusted. Returns (genesis key, [trusted, ...])."""
    try:
        obj = c.get_json("/v1/ledger-keys")
    except VerifyError as e:
        if "HTTP 404" in str(e):
            return None, [trusted_key]
        raise
    keys = obj.get("keys") if isinstance(obj, dict) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
        raise VerifyError("/v1/ledger-keys: no keys list")
    listed = [k.get("key") for k in keys]
    if trusted_key not in listed:
        raise VerifyError("/v1/ledger-keys does not list the trusted key %r" % trusted_key)
    chain = [trusted_key]
    for k in keys[listed.index(trusted_key) + 1:]:
        seq = k.get("rotated_at")
        if type(seq) is not int or seq < 0:
            raise VerifyError("/v1/ledger-keys: a key without rotated_at")
        new = check_key_rotation(c.get_json("/v1/entries/%d" % seq, seq=seq), chain[-1], seq)
        if new != k.get("key"):
            raise VerifyError("key rotation names another key than /v1/ledger-keys lists", seq)
        chain.append(new)
    return listed[0], chain


def verify_entries(entries, ledger_key=None, require_unredacted=False):
    """Replay entries 0..n-1 (parsed JSON objects, in order).

    Checks: seq = position; entry 0 is ledger.genesis with no signatures and (if given) its body's
    ledger_key equals `ledger_key`; later entries carry >= 1 signature, each by a distinct actor
    that is registered (genesis authorities and earlier actor.registered) and not revoked
    (earlier actor.revoked), each a valid Ed25519 signature over
    "pilotledger:event:v1\\n" + canonical(event); event ids are unique. Redacted entries
    ({"seq","type","leaf_hash","redacted":true}) contribute their leaf_hash and are counted; they
    are an error if `require_unredacted` or if their type is public.

    A ledger.key_rotated entry must rotate from the key current at it (check_key_rotation).

    Returns {"leaf_hashes": [...], "signatures": K, "redacted": R, "genesis": body,
    "ledger_key": the key after every rotation, "rotations": N}.
    Raises VerifyError naming the seq of the first failure."""
    current_key = None
    rotations = 0
    actors = {}        # id -> public key bytes, for currently active actors
    revoked = set()
    ids = set()
    hashes = []
    nsigs = 0
    nredacted = 0
    genesis = None
    for pos, e in enumerate(entries):
        seq = pos
        if not isinstance(e, dict):
            raise VerifyError("entry is not a JSON object", seq)
        if type(e.get("seq")) is not int or e["seq"] != pos:
            raise VerifyError("entry at position %d has seq %r (gap or reorder)"
                              % (pos, e.get("seq")), seq)
        if "redacted" in e:
            if set(e) != {"seq", "type", "leaf_hash", "redacted"} or e["redacted"] is not True:
                raise VerifyError("malformed redacted entry (fields %s)" % sorted(e), seq)
            t = e["type"]
            if type(t) is not str or t not in EVENT_TYPES:
                raise VerifyError("redacted entry has unknown type %r" % (t,), seq)
            if pos == 0 or is_public_type(t):
                raise VerifyError("entry of public type %r is redacted" % t, seq)
            if require_unredacted:
                raise VerifyError("entry is redacted for an authenticated reader", seq)
            try:
                lh = b64decode(e["leaf_hash"], strict=True)
            except ValueError as err:
                raise VerifyError("leaf_hash: %s" % err, seq)
            if len(lh) != 32:
                raise VerifyError("leaf_hash is not 32 bytes", seq)
            hashes.append(lh)
            nredacted += 1
            continue

        if set(e) != {"seq", "received", "event", "sigs"}:
            raise VerifyError("entry fields are %s, expected seq, received, event, sigs"
                              % sorted(e), seq)
        try:
            leaf = canonical(e)
        except ValueError as err:
            raise VerifyError("entry cannot be canonicalised: %s" % err, seq)
        if not _check_time(e["received"]):
            raise VerifyError("received %r is not RFC 3339 UTC" % (e["received"],), seq)
        ev = e["event"]
        if not isinstance(ev, dict) or set(ev) != {"v", "id", "type", "time", "body"}:
            raise VerifyError("event fields are %s, expected v, id, type, time, body"
                              % (sorted(ev) if isinstance(ev, dict) else type(ev).__name__), seq)
        if type(ev["v"]) is not int or ev["v"] != 1:
            raise VerifyError("event v is %r, expected 1" % (ev["v"],), seq)
        if type(ev["id"]) is not str or not _ID_RE.match(ev["id"]):
            raise VerifyError("event id %r is malformed" % (ev["id"],), seq)
        if ev["id"] in ids:
            raise VerifyError("event id %r is used twice" % ev["id"], seq)
        ids.add(ev["id"])
        t = ev["type"]
        if type(t) is not str or t not in EVENT_TYPES:
            raise VerifyError("unknown event type %r" % (t,), seq)
        if not _check_time(ev["time"]):
            raise VerifyError("event time %r is not RFC 3339 UTC" % (ev["time"],), seq)
        body = ev["body"]
        if not isinstance(body, dict):
            raise VerifyError("event body is not an object", seq)
        sigs = e["sigs"]
        if not isinstance(sigs, list):
            raise VerifyError("sigs is not a list", seq)

        if pos == 0:
            if t != "ledger.genesis":
                raise VerifyError("entry 0 is %r, not ledger.genesis" % t, seq)
            if sigs != []:
                raise VerifyError("genesis entry must have \"sigs\":[]", seq)
            if type(body.get("ledger_key")) is not str:
                raise VerifyError("genesis body has no ledger_key", seq)
            if ledger_key is not None and body["ledger_key"] != ledger_key:
                raise VerifyError("genesis ledger_key %r differs from the served key %r"
                                  % (body["ledger_key"], ledger_key), seq)
            auths = body.get("authorities")
            if not isinstance(auths, list) or not auths:
                raise VerifyError("genesis body has no authorities list", seq)
            for i, a in enumerate(auths):
                aid, pub = _check_actor_descriptor(a, seq, "genesis authority %d" % i)
                if aid in actors:
                    raise VerifyError("genesis authority %r listed twice" % aid, seq)
                actors[aid] = pub
            genesis = body
            current_key = body["ledger_key"]
            hashes.append(leaf_hash(leaf))
            continue

        if t == "ledger.genesis":
            raise VerifyError("ledger.genesis after entry 0", seq)
        if t == "ledger.key_rotated":
            current_key = check_key_rotation(e, current_key, seq)
            rotations += 1
            nsigs += 2
            hashes.append(leaf_hash(leaf))
            continue
        if not sigs:
            raise VerifyError("entry has no signatures", seq)
        msg = EVENT_CONTEXT + canonical(ev)
        signers = set()
        for i, s in enumerate(sigs):
            if not isinstance(s, dict) or set(s) != {"signer", "sig"}:
                raise VerifyError("signature %d is not {signer, sig}" % i, seq)
            signer = s["signer"]
            if type(signer) is not str:
                raise VerifyError("signature %d: signer is not a string" % i, seq)
            if signer in signers:
                raise VerifyError("signer %r signs twice" % signer, seq)
            signers.add(signer)
            if signer not in actors:
                why = "revoked" if signer in revoked else "not registered"
                raise VerifyError("signer %r is %s" % (signer, why), seq)
            try:
                sig = b64decode(s["sig"], strict=False)
            except ValueError as err:
                raise VerifyError("signature by %r: %s" % (signer, err), seq)
            if len(sig) != 64:
                raise VerifyError("signature by %r is %d bytes, not 64" % (signer, len(sig)), seq)
            if not _ed25519_verify(actors[signer], sig, msg):
                raise VerifyError("invalid signature by %r" % signer, seq)
            nsigs += 1

        if t == "actor.registered":
            aid, pub = _check_actor_descriptor(body, seq, "actor.registered body")
            if aid in actors:
                raise VerifyError("actor %r is registered while already active" % aid, seq)
            actors[aid] = pub
            revoked.discard(aid)
        elif t == "actor.revoked":
            aid = body.get("actor")
            if type(aid) is not str:
                raise VerifyError("actor.revoked body has no actor", seq)
            if aid not in actors:
                raise VerifyError("actor.revoked names %r, which is not an active actor" % aid,
                                  seq)
            del actors[aid]
            revoked.add(aid)
        hashes.append(leaf_hash(leaf))
    return {"leaf_hashes": hashes, "signatures": nsigs, "redacted": nredacted,
            "genesis": genesis, "ledger_key": current_key, "rotations": rotations}


# ---------------------------------------------------------------------------------------------
# HTTP client

def read_auth_header(private_key, actor, method, target, now=None):
    """The Authorization header value for an authenticated read."""
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    t = now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    msg = READ_CONTEXT + ("%s %s\n%s" % (method, target, t)).encode("utf-8")
    sig = private_key.sign(msg)
    return "PilotLedger-Sig actor=%s,time=%s,sig=%s" % (actor, t, b64encode(sig))


def load_private_key(path):
    """An Ed25519 private key from a PEM file (PKCS#8), or a file holding the base64 or hex
    of the 32-byte seed."""
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN" in data:
        k = serialization.load_pem_private_key(data, password=None)
        if not isinstance(k, Ed25519PrivateKey):
            raise ValueError("%s is not an Ed25519 private key" % path)
        return k
    s = data.strip().decode("ascii")
    raw = bytes.fromhex(s) if re.fullmatch(r"[0-9a-fA-F]{64}", s) else base64.b64decode(s)
    return Ed25519PrivateKey.from_private_bytes(raw)


class Client:
    def __init__(self, url, auth_key=None, auth_actor=None, timeout=30.0):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise ValueError("bad --url %r" % url)
        self.origin = "%s://%s" % (u.scheme, u.netloc)
        self.prefix = u.path.rstrip("/")
        self.auth_key, self.auth_actor, self.timeout = auth_key, auth_actor, timeout

    def get(self, path_and_query, accept="application/json"):
        target = self.prefix + path_and_query
        headers = {"Accept": accept}
        if self.auth_key is not None:
            headers["Authorization"] = read_auth_header(self.auth_key, self.auth_actor,
                                                        "GET", target)
        req = urllib.request.Request(self.origin + target, headers=headers, method="GET")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            body = e.read()
            raise VerifyError("GET %s: HTTP %d %s" % (target, e.code,
                                                     body[:300].decode("utf-8", "replace")))
        except (urllib.error.URLError, OSError) as e:
            raise VerifyError("GET %s: %s" % (target, e))

    def get_json(self, path_and_query, seq=None):
        _, body = self.get(path_and_query)
        try:
            return parse_json(body)
        except ValueError as e:
            raise VerifyError("GET %s: bad JSON: %s" % (path_and_query, e), seq)

    def get_text(self, path):
        _, body = self.get(path, accept="text/plain")
        return body


def _hash_list(obj, what):
    hs = obj.get("hashes") if isinstance(obj, dict) else None
    if not isinstance(hs, list):
        raise VerifyError("%s: no hashes list" % what)
    out = []
    for h in hs:
        try:
            b = b64decode(h, strict=True)
        except ValueError as e:
            raise VerifyError("%s: %s" % (what, e))
        if len(b) != 32:
            raise VerifyError("%s: proof hash is %d bytes, not 32" % (what, len(b)))
        out.append(b)
    return out


def _prefix_roots(hashes, sizes):
    """Roots of the first s leaves for each s in sizes (computed from the leaves)."""
    return {s: merkle_root(hashes[:s]) for s in sizes}


def verify_ledger(url, ledger_key=None, auth_key=None, auth_actor=None, samples=20,
                  timeout=30.0, page=1000, log=None):
    """Verify the ledger served at `url`. Returns the summary dict; raises VerifyError."""
    c = Client(url, auth_key, auth_actor, timeout)

    # 1. Verifier key.
    raw = c.get_text("/v1/ledger-key")
    try:
        served_key = raw.decode("utf-8").strip()
        verifier = parse_verifier_key(served_key)
    except (UnicodeDecodeError, NoteError) as e:
        raise VerifyError("/v1/ledger-key: %s" % e)
    # The key trusted (--ledger-key, else the served one), then the rotations from it.
    trusted = ledger_key.strip() if ledger_key is not None else served_key
    genesis_key, chain = follow_key_rotations(c, trusted)
    if chain[-1] != served_key:
        raise VerifyError("served ledger key %r differs from --ledger-key %r (after %d key "
                          "rotations)" % (served_key, trusted, len(chain) - 1))

    # 2. Checkpoint.
    note_bytes = c.get_text("/v1/checkpoint")
    try:
        note = open_note(note_bytes, [verifier])
        origin, size, cp_root = parse_checkpoint(note.text)
    except (NoteError, ValueError) as e:
        raise VerifyError("/v1/checkpoint: %s" % e)
    if origin != verifier.name:
        raise VerifyError("checkpoint origin %r differs from the key name %r"
                          % (origin, verifier.name))
    if size == 0:
        raise VerifyError("checkpoint size is 0: a ledger always holds its genesis entry")

    # 3. Entries 0..size-1.
    entries = []
    while len(entries) < size:
        start = len(entries)
        obj = c.get_json("/v1/entries?from=%d&limit=%d" % (start, page), seq=start)
        if not isinstance(obj, dict) or not isinstance(obj.get("entries"), list):
            raise VerifyError("/v1/entries?from=%d: no entries list" % start, start)
        got = obj["entries"]
        if not got:
            raise VerifyError("/v1/entries?from=%d returned no entries below the checkpoint "
                              "size %d" % (start, size), start)
        if len(got) > page:
            raise VerifyError("/v1/entries?from=%d returned %d > limit %d entries"
                              % (start, len(got), page), start)
        nxt = obj.get("next")
        if nxt is not None and (type(nxt) is not int or nxt != start + len(got)):
            raise VerifyError("/v1/entries?from=%d returned %d entries but next=%r"
                              % (start, len(got), nxt), start)
        entries.extend(got)
    entries = entries[:size]
    result = verify_entries(entries, ledger_key=genesis_key or served_key,
                            require_unredacted=auth_key is not None)
    if result["ledger_key"] != served_key:
        raise VerifyError("the checkpoint is signed by %r, but the log's key after its "
                          "rotations is %r" % (served_key, result["ledger_key"]))
    hashes = result["leaf_hashes"]
    genesis = result["genesis"]
    if "origin" in genesis and genesis["origin"] != origin:
        raise VerifyError("genesis origin %r differs from the checkpoint origin %r"
                          % (genesis["origin"], origin), 0)

    # 4. Root.
    root = merkle_root(hashes)
    if root != cp_root:
        raise VerifyError("Merkle root over %d entries is %s, checkpoint says %s"
                          % (size, b64encode(root), b64encode(cp_root)))

    # 5. Single entries and inclusion proofs for a sample of indices.
    rng = random.Random(cp_root)
    idx = {0, size - 1}
    if size > 2:
        idx.update(rng.sample(range(1, size - 1), min(samples, size - 2)))
    for i in sorted(idx):
        one = c.get_json("/v1/entries/%d" % i, seq=i)
        if canonical(one) != canonical(entries[i]):
            # A redacted view carries the leaf hash instead of the entry.
            raise VerifyError("GET /v1/entries/%d differs from the paged entry" % i, i)
        q = "/v1/proofs/inclusion?index=%d&size=%d" % (i, size)
        p = c.get_json(q, seq=i)
        if not isinstance(p, dict) or p.get("index") != i or p.get("size") != size:
            raise VerifyError("%s: answer names index %r size %r"
                              % (q, p.get("index") if isinstance(p, dict) else None,
                                 p.get("size") if isinstance(p, dict) else None), i)
        if not verify_inclusion(hashes[i], i, size, _hash_list(p, q), root):
            raise VerifyError("inclusion proof for index %d at size %d does not verify"
                              % (i, size), i)

    # 6. Consistency proofs from several earlier sizes to the checkpoint size.
    froms = set()
    if size >= 2:
        froms.update([1, size - 1])
        pw = 1
        while pw * 2 < size:
            pw *= 2
        froms.add(pw)
        if size > 2:
            froms.update(rng.sample(range(1, size), min(5, size - 1)))
    roots = _prefix_roots(hashes, froms)
    for a in sorted(froms):
        q = "/v1/proofs/consistency?from=%d&to=%d" % (a, size)
        p = c.get_json(q)
        if not isinstance(p, dict) or p.get("from") != a or p.get("to") != size:
            raise VerifyError("%s: answer names other sizes" % q)
        if not verify_consistency(a, size, _hash_list(p, q), roots[a], root):
            raise VerifyError("consistency proof %d -> %d does not verify" % (a, size))

    # 7. The log may have grown meanwhile: a newer checkpoint must be consistent with ours.
    try:
        note2 = open_note(c.get_text("/v1/checkpoint"), [verifier])
        origin2, size2, root2 = parse_checkpoint(note2.text)
    except (NoteError, ValueError) as e:
        raise VerifyError("/v1/checkpoint (second fetch): %s" % e)
    if origin2 != origin or size2 < size:
        raise VerifyError("second checkpoint (%r, %d) does not extend the first (%r, %d)"
                          % (origin2, size2, origin, size))
    if size2 > size:
        q = "/v1/proofs/consistency?from=%d&to=%d" % (size, size2)
        p = c.get_json(q)
        if not verify_consistency(size, size2, _hash_list(p, q), root, root2):
            raise VerifyError("newer checkpoint (size %d) is not consistent with size %d"
                              % (size2, size))
    elif root2 != root:
        raise VerifyError("two checkpoints of size %d with different roots" % size)

    return {"ok": True, "size": size, "signatures": result["signatures"],
            "redacted": result["redacted"], "root": b64encode(root),
            "rotations": result["rotations"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description="Independent PilotLedger verifier")
    ap.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8080")
    ap.add_argument("--ledger-key", help="expected verifier key (the string itself, or @FILE)")
    ap.add_argument("--auth-key", help="Ed25519 private key (PEM) for authenticated reads")
    ap.add_argument("--auth-actor", help="actor id of --auth-key")
    ap.add_argument("--samples", type=int, default=20,
                    help="inclusion proofs checked besides the first and last (default 20)")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args(argv)
    if (args.auth_key is None) != (args.auth_actor is None):
        ap.error("--auth-key and --auth-actor go together")
    try:
        lk = args.ledger_key
        if lk is not None and lk.startswith("@"):
            with open(lk[1:], "r", encoding="utf-8") as f:
                lk = f.read().strip()
        key = load_private_key(args.auth_key) if args.auth_key else None
        summary = verify_ledger(args.url, ledger_key=lk, auth_key=key,
                                auth_actor=args.auth_actor, samples=args.samples,
                                timeout=args.timeout)
    except VerifyError as e:
        sys.stderr.write("pilot_verify: FAIL: %s\n" % e)
        return 1
    except (OSError, ValueError) as e:
        sys.stderr.write("pilot_verify: FAIL: %s\n" % e)
        return 1
    sys.stdout.write(json.dumps(summary, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
