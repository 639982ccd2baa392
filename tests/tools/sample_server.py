"""Starts the development sample as ./run does (scripts/start.sh) in a temporary directory.

Used by readme_commands.py and api_examples.py. The server listens on a free loopback port; the
data directory holds data/dev-keys/ and data/ledger-key.txt exactly as after the first ./run.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time


class SampleServer:
    def __init__(self, source_dir, bin_dir):
        self.source_dir = os.path.abspath(source_dir)
        self.bin_dir = os.path.abspath(bin_dir)
        self.root = tempfile.mkdtemp(prefix="pilot-sample-")
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "start.log")
        self.proc = None
        self.address = None

    def __enter__(self):
        env = dict(os.environ, PILOT_DATA=self.data, PILOT_LISTEN="127.0.0.1:0", PILOT_BIN=self.bin_dir)
        env.pop("PILOTCTL_SERVER", None)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([os.path.join(self.source_dir, "scripts", "start.sh")], stdout=log,
                                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.time() + 180
        while time.time() < deadline:
            text = open(self.log, encoding="utf-8", errors="replace").read()
            found = re.findall(r"pilotledgerd: listening on (\S+) ", text)
            # The loader's server listens first; the address that counts is the one after "starting".
            if "is starting on" in text and found and text.rfind("listening on") > text.find("is starting on"):
                self.address = found[-1]
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("scripts/start.sh exited with %s:\n%s" % (self.proc.returncode, text))
            time.sleep(0.1)
        raise RuntimeError("scripts/start.sh did not start the server:\n" + open(self.log).read())

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self):
        return "http://" + self.address

    def ledger_key(self):
        return open(os.path.join(self.data, "ledger-key.txt")).read().strip()

    def workdir(self):
        """A directory laid out like the repository's root after ./run: build/bin, config, data."""
        os.makedirs(os.path.join(self.root, "build"), exist_ok=True)
        link = os.path.join(self.root, "build", "bin")
        if not os.path.exists(link):
            os.symlink(self.bin_dir, link)
        if not os.path.exists(os.path.join(self.root, "config")):
            os.symlink(os.path.join(self.source_dir, "config"), os.path.join(self.root, "config"))
        return self.root
