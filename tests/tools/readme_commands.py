#!/usr/bin/env python3
"""Runs every example command of README.md, in order, against a fresh sample (as after ./run).

Usage: readme_commands.py SOURCE_DIR BIN_DIR

The commands are the lines of README's indented code blocks that start with `build/bin/pilotctl`
or `curl`; each runs with bash from a directory laid out like the repository's root (build/bin,
config, data), with http://127.0.0.1:8080 meaning the sample's server. Each must exit 0 (a `watch`,
which runs until stopped, must report that it caught up and print entries within 10 s). Prints
each command and exits 1 listing the ones that failed.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_server import SampleServer  # noqa: E402

DEFAULT = "http://127.0.0.1:8080"


def readme_commands(path):
    commands = []
    in_code = False
    previous_blank = True
    for line in open(path, encoding="utf-8").read().split("\n"):
        stripped = line.strip()
        indented = re.match(r"^( {4}| {6})\S", line) is not None
        if indented and (previous_blank or in_code):
            in_code = True
            if stripped.startswith("build/bin/pilotctl") or stripped.startswith("curl "):
                commands.append(stripped)
        elif stripped:
            in_code = False
        previous_blank = not stripped
    return commands


def run(command, cwd, url):
    command = command.replace(DEFAULT, url)
    env = dict(os.environ, PILOTCTL_SERVER=url)
    if " watch " in command:
        p = subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.terminate()
            out, err = p.communicate()
        ok = "caught up at" in err and out.count("\n") > 0 and '"seq"' in out
        return ok, out + err
    p = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    if command.startswith("curl") and '"error"' in p.stdout:
        return False, out
    return p.returncode == 0, out


def main():
    source_dir, bin_dir = sys.argv[1], sys.argv[2]
    commands = readme_commands(os.path.join(source_dir, "README.md"))
    if len(commands) < 20:
        print("README.md has only %d example commands; the parser lost some" % len(commands))
        return 1
    failed = []
    with SampleServer(source_dir, bin_dir) as server:
        cwd = server.workdir()
        for c in commands:
            ok, out = run(c, cwd, server.url)
            print(("ok    " if ok else "FAIL  ") + c)
            if not ok:
                print("      " + out.replace("\n", "\n      ")[:3000])
                failed.append(c)
    print("%d of %d README commands ran as written" % (len(commands) - len(failed), len(commands)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
