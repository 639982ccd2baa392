#!/usr/bin/python3
"""Computes the worked example of docs/protocol.md and writes tests/testdata/worked_example.json.

Every value in the document's worked example comes from this script. It uses only the
independent verifier (pilot_verify.py, which shares no code with the C++ ledger) and
`cryptography` (Ed25519 through OpenSSL). Ed25519 signatures are deterministic (RFC 8032), so
every byte is reproducible. Run it with /usr/bin/python3 from anywhere:

    /usr/bin/python3 tests/tools/worked_example.py [--check]

With --check it writes nothing and exits 1 if the stored JSON differs from a fresh computation.

The JSON holds the inputs (seed labels, origin, times, names, the read request) under "inputs",
so that another implementation can recompute everything from them and compare with the rest.
Strings hold UTF-8 text exactly (the signing inputs and leaves are valid UTF-8); hashes are given
both as standard base64 and as lowercase hex.
"""

import base64
import datetime
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pilot_verify as pv  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "testdata", "worked_example.json")

LABEL_PREFIX = "pilotledger worked example: "
ORIGIN = "example.pilotledger/log"
AUTHORITIES = [  # actor id, department, name (all role "ministry")
    ("miit", "miit", "工业和信息化部"),
    ("mca", "mca", "民政部"),
    ("nhc", "nhc", "国家卫生健康委"),
]
GENESIS_TIME = "2023-10-15T08:00:00Z"
GENESIS_RECEIVED = "2023-10-15T08:00:00.000Z"
EVENT1_ID = "reg-expert-1"
EVENT1_TIME = "2023-10-15T08:05:00Z"
EVENT1_RECEIVED = "2023-10-15T08:05:00.250Z"
EVENT1_SIGNER = "miit"
EXPERT = ("expert-1", "expert", "专家一")
READ = {"actor": "miit", "method": "GET", "target": "/v1/entries?from=0&limit=10",
        "time": "2023-10-15T09:00:00Z"}


def default_policy():
    """projections/policy.cc DefaultPolicyJson(), written out independently."""
    def slot(role, department=None, scope=None):
        s = {"role": role}
        if department:
            s["department"] = department
        if scope:
            s["scope"] = scope
        return s

    one_ministry = [[slot("ministry")]]
    three_ministries = [[slot("ministry", "miit"), slot("ministry", "mca"), slot("ministry", "nhc")]]
    applicant_or_authority = [[slot("applicant", scope="unit")],
                              [slot("provincial", scope="authority")],
                              [slot("soe_group", scope="authority")]]
    authority_jointly = [[slot("provincial", "miit", "authority"),
                          slot("provincial", "civil", "authority"),
                          slot("provincial", "health", "authority")],
                         [slot("soe_group", scope="authority")]]
    p = {}
    for t in ("actor.registered", "actor.revoked", "objection.filed", "objection.resolved"):
        p[t] = one_ministry
    p["spotcheck.recorded"] = [[slot("ministry")], [slot("expert")]]
    for t in ("campaign.opened", "campaign.amended", "quota.exception", "publication.issued",
              "title.granted", "review.passed", "title.revoked"):
        p[t] = three_ministries
    for t in ("submission.filed", "review.requested"):
        p[t] = applicant_or_authority
    for t in ("recommendation.issued", "review.recommended", "review.requirements"):
        p[t] = authority_jointly
    for t in ("review.scope", "application.rejected", "review.failed", "campaign.closed",
              "assessment.recorded"):
        p[t] = three_ministries
    p["score.recorded"] = [[slot("expert")]]
    return p


def raw_public(private_key):
    return private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)


def hashes(data):
    """A hash as base64 and hex."""
    return {"b64": pv.b64encode(data), "hex": data.hex()}


def text(b):
    return b.decode("utf-8")


def compute():
    labels = {name: LABEL_PREFIX + name for name in ("ledger", "miit", "mca", "nhc", "expert-1")}
    keys, privs = {}, {}
    for name, label in labels.items():
        seed = hashlib.sha256(label.encode("ascii")).digest()
        priv = Ed25519PrivateKey.from_private_bytes(seed)
        pub = raw_public(priv)
        assert not pv.is_small_order(pub)
        privs[name] = priv
        keys[name] = {"label": label, "seed_hex": seed.hex(), "public_key_hex": pub.hex(),
                      "public_key_b64": pv.b64encode(pub)}

    # 1. The ledger's verifier key (C2SP signed-note key, type 0x01 = Ed25519).
    ledger_pub = raw_public(privs["ledger"])
    key_id_input = ORIGIN.encode("utf-8") + b"\n" + b"\x01" + ledger_pub
    key_id_hash = hashlib.sha256(key_id_input).digest()
    key_id = key_id_hash[:4]
    vkey = "%s+%s+%s" % (ORIGIN, key_id.hex(), pv.b64encode(b"\x01" + ledger_pub))
    verifier = pv.parse_verifier_key(vkey)
    assert verifier.key_id == int.from_bytes(key_id, "big")

    # 2. The genesis event and entry 0.
    policy = default_policy()
    authorities = [{"actor": a, "role": "ministry", "department": d, "name": n,
                    "public_key": keys[a]["public_key_b64"]} for a, d, n in AUTHORITIES]
    genesis_event = {"v": 1, "id": "genesis", "type": "ledger.genesis", "time": GENESIS_TIME,
                     "body": {"origin": ORIGIN, "ledger_key": vkey, "authorities": authorities,
                              "policy": policy}}
    genesis_canonical = pv.canonical(genesis_event)
    entry0 = {"seq": 0, "received": GENESIS_RECEIVED, "event": genesis_event, "sigs": []}
    leaf0 = pv.canonical(entry0)
    lh0 = pv.leaf_hash(leaf0)

    # 3. Event 1: actor.registered of expert-1, signed by miit; entry 1.
    actor_id, role, name = EXPERT
    event1 = {"v": 1, "id": EVENT1_ID, "type": "actor.registered", "time": EVENT1_TIME,
              "body": {"actor": actor_id, "role": role, "name": name,
                       "public_key": keys["expert-1"]["public_key_b64"]}}
    event1_canonical = pv.canonical(event1)
    signing_input = pv.event_signing_input(event1)
    assert signing_input == b"pilotledger:event:v1\n" + event1_canonical
    sig1 = privs[EVENT1_SIGNER].sign(signing_input)
    sigs1 = [{"signer": EVENT1_SIGNER, "sig": pv.b64encode(sig1)}]
    submission = pv.canonical({"event": event1, "sigs": sigs1})
    entry1 = {"seq": 1, "received": EVENT1_RECEIVED, "event": event1, "sigs": sigs1}
    leaf1 = pv.canonical(entry1)
    lh1 = pv.leaf_hash(leaf1)
    receipt = pv.canonical({"seq": 1, "leaf_hash": pv.b64encode(lh1), "received": EVENT1_RECEIVED})

    # The independent replay accepts both entries.
    replay = pv.verify_entries([pv.parse_json(leaf0), pv.parse_json(leaf1)], ledger_key=vkey)
    assert replay["leaf_hashes"] == [lh0, lh1] and replay["signatures"] == 1

    # 4. Tree, checkpoints, proofs.
    root1 = pv.merkle_root([lh0])
    root2 = pv.merkle_root([lh0, lh1])
    assert root1 == lh0 and root2 == pv.node_hash(lh0, lh1)
    checkpoints = {}
    for size, root in ((1, root1), (2, root2)):
        cp_text = "%s\n%d\n%s\n" % (ORIGIN, size, pv.b64encode(root))
        note = pv.sign_note(cp_text, ORIGIN, privs["ledger"])
        opened = pv.open_note(note, [vkey])
        assert pv.parse_checkpoint(opened.text) == (ORIGIN, size, root)
        sig_line = note.split("\n")[-2]
        sig_blob = base64.b64decode(sig_line.split(" ")[-1])
        checkpoints[str(size)] = {
            "size": size, "root": hashes(root), "text": cp_text,
            "signature_hex": sig_blob[4:].hex(), "signature_line": sig_line, "note": note}
    incl = pv.inclusion_path([lh0, lh1], 1)
    assert pv.verify_inclusion(lh1, 1, 2, incl, root2)
    incl0 = pv.inclusion_path([lh0, lh1], 0)
    assert pv.verify_inclusion(lh0, 0, 2, incl0, root2)
    cons = pv.consistency_path([lh0, lh1], 1)
    assert pv.verify_consistency(1, 2, cons, root1, root2)
    inclusion_answer = {"index": 1, "size": 2, "hashes": [pv.b64encode(h) for h in incl]}
    inclusion0_answer = {"index": 0, "size": 2, "hashes": [pv.b64encode(h) for h in incl0]}
    consistency_answer = {"from": 1, "to": 2, "hashes": [pv.b64encode(h) for h in cons]}

    # 5. The read-authentication header.
    read_bytes = ("pilotledger:read:v1\n%s %s\n%s" % (READ["method"], READ["target"], READ["time"])).encode("utf-8")
    read_sig = privs[READ["actor"]].sign(read_bytes)
    header = "PilotLedger-Sig actor=%s,time=%s,sig=%s" % (READ["actor"], READ["time"], pv.b64encode(read_sig))
    now = datetime.datetime(2023, 10, 15, 9, 0, 0, tzinfo=datetime.timezone.utc)
    assert pv.read_auth_header(privs[READ["actor"]], READ["actor"], READ["method"], READ["target"], now) == header
    entries_answer = b'{"entries":[' + leaf0 + b"," + leaf1 + b'],"next":2}'

    return {
        "description": "The worked example of docs/protocol.md, computed by tests/tools/worked_example.py. "
                       "Recompute everything outside 'inputs' from 'inputs' and compare byte for byte.",
        "inputs": {
            "seed_rule": "seed = SHA-256(ASCII label); Ed25519 private key = RFC 8032 key from that 32-byte seed",
            "seed_labels": labels,
            "origin": ORIGIN,
            "authorities": [{"actor": a, "role": "ministry", "department": d, "name": n}
                            for a, d, n in AUTHORITIES],
            "policy": "default",
            "genesis": {"id": "genesis", "type": "ledger.genesis", "time": GENESIS_TIME,
                        "received": GENESIS_RECEIVED, "seq": 0},
            "event1": {"id": EVENT1_ID, "type": "actor.registered", "time": EVENT1_TIME,
                       "received": EVENT1_RECEIVED, "seq": 1, "signer": EVENT1_SIGNER,
                       "actor": {"actor": actor_id, "role": role, "name": name,
                                 "public_key_of": "expert-1"}},
            "read": READ,
        },
        "keys": keys,
        "ledger_key": {
            "key_id_input_hex": key_id_input.hex(),
            "key_id_sha256_hex": key_id_hash.hex(),
            "key_id_hex": key_id.hex(),
            "verifier_key": vkey,
            "ledger_key_response": vkey + "\n",
        },
        "default_policy": policy,
        "default_policy_canonical": text(pv.canonical(policy)),
        "default_policy_canonical_bytes": len(pv.canonical(policy)),
        "default_policy_canonical_sha256_hex": hashlib.sha256(pv.canonical(policy)).hexdigest(),
        "genesis": {
            "event": genesis_event,
            "canonical_event": text(genesis_canonical),
            "canonical_event_bytes": len(genesis_canonical),
            "canonical_event_sha256_hex": hashlib.sha256(genesis_canonical).hexdigest(),
            "leaf": text(leaf0),
            "leaf_bytes": len(leaf0),
            "leaf_sha256_hex": hashlib.sha256(leaf0).hexdigest(),
            "leaf_hash": hashes(lh0),
        },
        "event1": {
            "event": event1,
            "canonical_event": text(event1_canonical),
            "canonical_event_bytes": len(event1_canonical),
            "signing_input": text(signing_input),
            "signing_input_hex": signing_input.hex(),
            "signature_b64": pv.b64encode(sig1),
            "signature_hex": sig1.hex(),
            "submission": text(submission),
            "receipt_201": text(receipt),
            "leaf": text(leaf1),
            "leaf_bytes": len(leaf1),
            "leaf_hash": hashes(lh1),
        },
        "tree": {
            "root_size_1": hashes(root1),
            "root_size_2": hashes(root2),
            "checkpoints": checkpoints,
            "inclusion_1_in_2": inclusion_answer,
            "inclusion_1_in_2_response": text(pv.canonical(inclusion_answer)),
            "inclusion_0_in_2": inclusion0_answer,
            "consistency_1_to_2": consistency_answer,
            "consistency_1_to_2_response": text(pv.canonical(consistency_answer)),
        },
        "read_auth": {
            "signed_bytes": text(read_bytes),
            "signed_bytes_hex": read_bytes.hex(),
            "signed_bytes_length": len(read_bytes),
            "signature_b64": pv.b64encode(read_sig),
            "header": header,
            "response_body": "{\"entries\":[<leaf 0>,<leaf 1>],\"next\":2}",
            "response_body_bytes": len(entries_answer),
            "response_body_sha256_hex": hashlib.sha256(entries_answer).hexdigest(),
        },
    }


def render(data):
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv):
    out = render(compute())
    if "--check" in argv:
        with open(OUT, "r", encoding="utf-8") as f:
            if f.read() != out:
                sys.stderr.write("worked_example: %s is stale; rerun without --check\n" % OUT)
                return 1
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
