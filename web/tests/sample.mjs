// The development sample, started as ./run starts it (scripts/start.sh) in a temporary directory on
// a free loopback port, and pilotctl against it. Like tests/tools/sample_server.py.
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createPrivateKey, sign } from "node:crypto";

export class Sample {
  constructor(sourceDir, binDir) {
    this.sourceDir = sourceDir;
    this.binDir = binDir;
    this.root = mkdtempSync(path.join(tmpdir(), "pilot-web-"));
    this.data = path.join(this.root, "data");
  }

  async start() {
    const env = { ...process.env, PILOT_DATA: this.data, PILOT_LISTEN: "127.0.0.1:0", PILOT_BIN: this.binDir };
    delete env.PILOTCTL_SERVER;
    this.proc = spawn(path.join(this.sourceDir, "scripts", "start.sh"), [], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    await new Promise((resolve, reject) => {
      const seen = (chunk) => {
        log += chunk;
        const starting = log.indexOf("is starting on");
        const m = starting >= 0 && /pilotledgerd: listening on (\S+) /.exec(log.slice(starting));
        if (m) { this.address = m[1]; resolve(); }
      };
      this.proc.stdout.on("data", seen);
      this.proc.stderr.on("data", seen);
      this.proc.on("exit", (code) => reject(new Error(`scripts/start.sh exited with ${code}:\n${log}`)));
    });
    this.url = "http://" + this.address;
    return this;
  }

  // A clean stop (the server writes its snapshot as it goes), waited for before the directory is
  // removed: removing it meanwhile raced the server's last files (ENOTEMPTY, seen under ASan).
  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((resolve) => this.proc.once("exit", resolve));
      try { process.kill(-this.proc.pid, "SIGTERM"); } catch { /* gone */ }
      const kill = setTimeout(() => { try { process.kill(-this.proc.pid, "SIGKILL"); } catch { /* gone */ } }, 30000);
      await exited;
      clearTimeout(kill);
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  key(actor) { return path.join(this.data, "dev-keys", actor + ".pem"); }

  async pilotctl(...args) {
    const { stdout } = await promisify(execFile)(path.join(this.binDir, "pilotctl"), ["--server", this.url, ...args]);
    return stdout;
  }

  // A read signed as `actor` (docs/api.md, "Read authentication"), done here independently of the page.
  async getAs(actor, target) {
    const key = createPrivateKey(readFileSync(this.key(actor), "utf8").replace(/^#.*\n/, ""));
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const sig = sign(null, Buffer.from(`pilotledger:read:v1\nGET ${target}\n${time}`), key).toString("base64");
    const r = await fetch(this.url + target, { headers: { Authorization: `PilotLedger-Sig actor=${actor},time=${time},sig=${sig}` } });
    if (!r.ok) throw new Error(`${target}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  async get(target) {
    const r = await fetch(this.url + target);
    if (!r.ok) throw new Error(`${target}: ${r.status} ${await r.text()}`);
    return r.json();
  }
}
