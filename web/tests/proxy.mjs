// A small HTTP and WebSocket proxy in front of the real server, for the faults the page must notice:
// a forged inclusion proof (one hash altered) and a stream that drops and cannot reconnect for a while.
import http from "node:http";
import net from "node:net";

export class Proxy {
  constructor(target) {
    this.target = new URL(target);
    this.forgeIndex = null;   // the entry whose inclusion proofs get one hash altered
    this.blockStreams = false; // refuse WebSocket upgrades (503) while true
    this.streams = new Set();
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  listen() {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => {
      this.url = `http://127.0.0.1:${this.server.address().port}`;
      resolve(this);
    }));
  }

  close() {
    this.dropStreams();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }

  dropStreams() {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  forward(req, res) {
    const up = http.request({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname === "/v1/proofs/inclusion" && Number(url.searchParams.get("index")) === this.forgeIndex) {
        const chunks = [];
        r.on("data", (c) => chunks.push(c));
        r.on("end", () => {
          const proof = JSON.parse(Buffer.concat(chunks).toString());
          const bytes = Buffer.from(proof.hashes[0], "base64");
          bytes[0] ^= 0x01;
          proof.hashes[0] = bytes.toString("base64");
          const body = JSON.stringify(proof);
          res.writeHead(r.statusCode, { ...r.headers, "content-length": Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      }
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  }

  upgrade(req, socket, head) {
    if (this.blockStreams) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const up = net.connect(Number(this.target.port), this.target.hostname, () => {
      let request = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) request += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(request + "\r\n");
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const pair = { destroy: () => { socket.destroy(); up.destroy(); } };
    this.streams.add(pair);
    const done = () => { this.streams.delete(pair); socket.destroy(); up.destroy(); };
    socket.on("error", done).on("close", done);
    up.on("error", done).on("close", done);
  }
}
