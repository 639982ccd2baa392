#!/usr/bin/env python3
"""Generates the examples of docs/api.md from the development sample, or checks them.

Usage: api_examples.py SOURCE_DIR BIN_DIR [--write | --check]

Starts the sample as ./run does (scripts/start.sh, in a temporary directory) and runs, in document
order, every example marked in docs/api.md by a comment line right before a fenced block:

    <!-- example: GET /v1/units/91110104XH1HAKRRHY -->           the JSON (or text) answer
    <!-- example: as=auditor trim=3 GET /v1/entries?from=0 -->    read as data/dev-keys/auditor.pem;
                                                                  lists cut to 3 items and "…"
    <!-- example: POST /v1/entries reg-auditor-2.json -->         POST a file of the work directory
    <!-- example: $ pilotctl status 91110104XH1HAKRRHY -->        the command line and its output
    <!-- example: sh pilotctl keygen … && cat file.json -->       a shell command's standard output

(`head=N` keeps the first N lines of a text answer.) Commands run from a directory laid out like the
repository's root after ./run (build/bin, config, data), with pilotctl meaning build/bin/pilotctl and
the server at its default address. --write replaces each block with what the server answers now;
--check (the default; a CTest test) compares them. Times, hashes, keys and signatures differ from
one sample to the next and are compared as placeholders; everything else must match exactly.
"""
import base64
import datetime
import difflib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_server import SampleServer  # noqa: E402

MARKER = re.compile(r"^<!-- example: (.*) -->$")


def trim(value, n):
    if isinstance(value, list):
        items = [trim(v, n) for v in value]
        return items[:n] + ["…"] if len(items) > n else items
    if isinstance(value, dict):
        # Only long maps (authority kinds, not a unit view) lose members.
        keys = sorted(value)
        kept = keys[:n] if len(keys) > 20 else keys
        out = {k: trim(value[k], n) for k in kept}
        if len(kept) < len(keys):
            out["…"] = "…"
        return out
    return value


def canonical(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_authorization(key_file, actor, target):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    pem = open(key_file, "rb").read()
    pem = b"\n".join(line for line in pem.split(b"\n") if not line.startswith(b"#"))
    t = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = load_pem_private_key(pem, None).sign(("pilotledger:read:v1\nGET %s\n%s" % (target, t)).encode())
    return "PilotLedger-Sig actor=%s,time=%s,sig=%s" % (actor, t, base64.b64encode(sig).decode())


class Runner:
    def __init__(self, server):
        self.server = server
        self.cwd = server.workdir()
        self.env = dict(os.environ, PILOTCTL_SERVER=server.url)
        self.env["PATH"] = os.path.join(self.cwd, "build", "bin") + ":" + self.env.get("PATH", "")

    def http(self, method, target, actor=None, body=None):
        req = urllib.request.Request(self.server.url + target, method=method, data=body)
        if actor:
            req.add_header("Authorization", read_authorization(
                os.path.join(self.server.data, "dev-keys", actor + ".pem"), actor, target))
        try:
            with urllib.request.urlopen(req) as r:
                return r.read().decode()
        except urllib.error.HTTPError as e:
            return e.read().decode()

    def shell(self, command):
        command = command.replace("http://127.0.0.1:8080", self.server.url)
        p = subprocess.run(["bash", "-c", command], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=120)
        return p.stdout + p.stderr

    def run(self, spec):
        opts = {}
        words = spec.split(" ")
        while words and re.match(r"^(as|trim|head)=", words[0]):
            k, v = words.pop(0).split("=", 1)
            opts[k] = v
        kind, rest = words[0], " ".join(words[1:])
        if kind in ("GET", "POST"):
            body = None
            target = rest
            if kind == "POST":
                target, file = rest.split(" ", 1)
                body = open(os.path.join(self.cwd, file), "rb").read()
            text = self.http(kind, target, opts.get("as"), body)
            try:
                value = json.loads(text)
            except ValueError:
                return self.head(text.rstrip("\n"), opts)
            if "trim" in opts:
                value = trim(value, int(opts["trim"]))
            return canonical(value)
        if kind == "$":
            return self.head("$ " + rest + "\n" + self.shell(rest).rstrip("\n"), opts)
        if kind == "sh":
            return self.head(self.shell(rest).rstrip("\n"), opts)
        raise ValueError("unknown example kind in: " + spec)

    @staticmethod
    def head(text, opts):
        if "head" not in opts:
            return text
        lines = text.split("\n")
        n = int(opts["head"])
        return "\n".join(lines[:n] + (["…"] if len(lines) > n else []))


def blocks(lines):
    """Yields (spec, first content line index, end fence index) of each marked block."""
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            end = i + 2
            while end < len(lines) and lines[end] != "```":
                end += 1
            yield m.group(1), i + 2, end
            i = end
        i += 1


MASKS = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"), "<time>"),
    (re.compile(r"\d{8}T\d{6}"), "<stamp>"),
    (re.compile(r"\d{4}-\d\d-\d\d"), "<date>"),
    (re.compile(r"[A-Za-z0-9+/]{40,}={0,2}"), "<base64>"),
    (re.compile(r"\+[0-9a-f]{8}\+"), "+<key id>+"),
    (re.compile(r"took\s+[0-9.e-]+ s"), "took <t> s"),
    (re.compile(r" +$", re.M), ""),
]


def mask(text):
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    # Column alignment follows the masked values' widths; compare cells, not spaces.
    return re.sub(r" {2,}", "  ", text)


def main():
    source_dir, bin_dir = sys.argv[1], sys.argv[2]
    write = "--write" in sys.argv[3:]
    path = os.path.join(source_dir, "docs", "api.md")
    lines = open(path, encoding="utf-8").read().split("\n")
    found = list(blocks(lines))
    if len(found) < 20:
        print("docs/api.md has only %d marked examples" % len(found))
        return 1
    out, last, failures = [], 0, 0
    with SampleServer(source_dir, bin_dir) as server:
        runner = Runner(server)
        for spec, start, end in found:
            fresh = runner.run(spec)
            documented = "\n".join(lines[start:end])
            if mask(fresh) != mask(documented):
                failures += 1
                if not write:
                    print("MISMATCH  " + spec)
                    for d in difflib.unified_diff(mask(documented).split("\n"), mask(fresh).split("\n"),
                                                  "docs/api.md", "server", lineterm="", n=1):
                        print("    " + d[:400])
            out += lines[last:start] + fresh.split("\n")
            last = end
    out += lines[last:]
    if write:
        open(path, "w", encoding="utf-8").write("\n".join(out))
        print("docs/api.md: %d examples regenerated, %d changed" % (len(found), failures))
        return 0
    print("%d of %d examples of docs/api.md match the server" % (len(found) - failures, len(found)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
