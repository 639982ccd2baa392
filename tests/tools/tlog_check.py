#!/usr/bin/python3
"""An independent check of a PilotLedger log through the C2SP formats only (not our C++).

Fetches /tlog/checkpoint, verifies the log's Ed25519 signature with --ledger-key and every witness
cosignature (c2sp.org/tlog-cosignature, cosignature/v1) with the keys of a c2sp.org/tlog-policy
file, then rebuilds the tree from the hash tiles (c2sp.org/tlog-tiles): every level-0 tile, every
higher tile hash against the full tile below it, the root against the checkpoint; and every entry
bundle (as a public reader) against the level-0 hashes. Checks the caching and CORS headers.
Prints a JSON summary; exits 1 naming the first failure.

usage: tlog_check.py URL --ledger-key VKEY [--policy FILE]
"""
import base64
import hashlib
import json
import struct
import sys
import urllib.error
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.exceptions import InvalidSignature


def fail(why):
    print("tlog_check: FAILED: " + why)
    sys.exit(1)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict((k.lower(), v) for k, v in e.headers.items()), e.read()


def parse_vkey(vkey, type_byte):
    name, key_id, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 33 or raw[0] != type_byte:
        fail("bad key " + vkey)
    pub = raw[1:]
    expect = hashlib.sha256(name.encode() + b"\n" + bytes([type_byte]) + pub).digest()[:4]
    if expect.hex() != key_id:
        fail("key id mismatch in " + vkey)
    return name, expect, Ed25519PublicKey.from_public_bytes(pub)


def verify(pub, sig, msg):
    try:
        pub.verify(sig, msg)
        return True
    except InvalidSignature:
        return False


def mth(hashes):
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:k]) + mth(hashes[k:])).digest()


def tile_path(level, index, width):
    groups = []
    while True:
        groups.insert(0, "%03d" % (index % 1000))
        index //= 1000
        if index == 0:
            break
    n = "/".join(("x" + g if i + 1 < len(groups) else g) for i, g in enumerate(groups))
    return "tile/%s/%s%s" % (level, n, "" if width == 256 else ".p/%d" % width)


def parse_policy(path):
    witnesses, groups, quorum = {}, {}, None
    for line in open(path, encoding="utf-8"):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        if f[0] == "witness":
            witnesses[f[1]] = parse_vkey(f[2], 0x04)
        elif f[0] == "group":
            members = f[3:]
            k = len(members) if f[2] == "all" else 1 if f[2] == "any" else int(f[2])
            groups[f[1]] = (k, members)
        elif f[0] == "quorum":
            quorum = f[1]
    return witnesses, groups, quorum


def met(name, witnesses, groups, cosigned):
    if name == "none":
        return True
    if name in witnesses:
        return name in cosigned
    k, members = groups[name]
    return sum(1 for m in members if met(m, witnesses, groups, cosigned)) >= k


def main():
    args = sys.argv[1:]
    url = args[0].rstrip("/")
    ledger_key = args[args.index("--ledger-key") + 1]
    policy = args[args.index("--policy") + 1] if "--policy" in args else None

    status, headers, body = get(url + "/tlog/checkpoint")
    if status != 200:
        fail("/tlog/checkpoint answered %d" % status)
    if headers.get("access-control-allow-origin") != "*":
        fail("/tlog/checkpoint lacks Access-Control-Allow-Origin: *")
    if "no-store" not in headers.get("cache-control", "") and "no-cache" not in headers.get("cache-control", ""):
        fail("/tlog/checkpoint may be cached: " + headers.get("cache-control", ""))
    note = body.decode("utf-8")
    text, sigs = note[: note.rindex("\n\n") + 1], note[note.rindex("\n\n") + 2 :]
    lines = text.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    name, key_id, pub = parse_vkey(ledger_key, 0x01)
    logsigned = False
    cosigs = []
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            fail("a signature line does not start with an em dash")
        sname, b64 = line[2:].split(" ")
        blob = base64.b64decode(b64)
        if sname == name and blob[:4] == key_id:
            logsigned = verify(pub, blob[4:], text.encode())
        else:
            cosigs.append((sname, blob))
    if not logsigned or origin != name:
        fail("the checkpoint is not signed by the ledger key")

    cosigned = []
    if policy:
        witnesses, groups, quorum = parse_policy(policy)
        for wname, (kname, kid, wpub) in witnesses.items():
            for sname, blob in cosigs:
                if sname != kname or blob[:4] != kid or len(blob) != 76:
                    continue
                (ts,) = struct.unpack(">Q", blob[4:12])
                msg = b"cosignature/v1\ntime %d\n" % ts + text.encode()
                if ts > 0 and verify(wpub, blob[12:], msg):
                    cosigned.append(wname)
        if not met(quorum, witnesses, groups, set(cosigned)):
            fail("checkpoint %d lacks the quorum: valid cosignatures from %s only" % (size, sorted(cosigned)))

    # Level 0: every leaf hash.
    leaves = []
    for n in range((size + 255) // 256):
        width = 256 if (n + 1) * 256 <= size else size % 256
        p = tile_path(0, n, width)
        status, headers, tile = get(url + "/tlog/" + p)
        if status != 200 or len(tile) != 32 * width:
            fail("/tlog/%s answered %d with %d bytes" % (p, status, len(tile)))
        if headers.get("access-control-allow-origin") != "*" or "immutable" not in headers.get("cache-control", ""):
            fail("/tlog/%s lacks the CORS or immutable caching headers" % p)
        if headers.get("content-type") != "application/octet-stream":
            fail("/tlog/%s is not application/octet-stream" % p)
        leaves += [tile[i : i + 32] for i in range(0, len(tile), 32)]
    if mth(leaves) != root:
        fail("the level-0 tiles do not hash to the checkpoint's root")
    # Higher levels: each hash is the root of the full tile below it.
    below, level, tiles_checked = leaves, 1, 0
    while size >= 256**level:
        count = size // 256**level
        hashes = []
        for n in range((count + 255) // 256):
            width = 256 if (n + 1) * 256 <= count else count % 256
            status, _, tile = get(url + "/tlog/" + tile_path(level, n, width))
            if status != 200 or len(tile) != 32 * width:
                fail("level %d tile %d answered %d" % (level, n, status))
            hashes += [tile[i : i + 32] for i in range(0, len(tile), 32)]
        for i, h in enumerate(hashes):
            if mth(below[i * 256 : (i + 1) * 256]) != h:
                fail("level %d hash %d is not the root of the full tile below" % (level, i))
            tiles_checked += 1
        below, level = hashes, level + 1
    # Entry bundles, as the public reads them.
    redacted = 0
    for n in range((size + 255) // 256):
        width = 256 if (n + 1) * 256 <= size else size % 256
        p = tile_path("entries", n, width)
        status, headers, bundle = get(url + "/tlog/" + p)
        if status != 200 or headers.get("access-control-allow-origin") != "*":
            fail("/tlog/%s answered %d" % (p, status))
        i, k = 0, 0
        while i < len(bundle):
            (length,) = struct.unpack(">H", bundle[i : i + 2])
            entry = bundle[i + 2 : i + 2 + length]
            i += 2 + length
            seq = n * 256 + k
            h = hashlib.sha256(b"\x00" + entry).digest()
            if h != leaves[seq]:
                stub = json.loads(entry)
                if not (stub.get("redacted") or stub.get("oversize")) or stub.get("seq") != seq:
                    fail("entry %d of the bundle does not hash to its level-0 tile hash" % seq)
                if base64.b64decode(stub["leaf_hash"]) != leaves[seq]:
                    fail("the stub of entry %d carries another leaf hash" % seq)
                redacted += 1
            k += 1
        if k != width:
            fail("/tlog/%s holds %d entries, not %d" % (p, k, width))
    print(json.dumps({"origin": origin, "size": size, "root": "ok", "higher_tile_hashes": tiles_checked,
                      "redacted": redacted, "cosigned": sorted(cosigned)}))


if __name__ == "__main__":
    main()
