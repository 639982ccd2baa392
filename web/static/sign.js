// The signed read header (docs/api.md, "Read authentication"), made in the browser: the key file is
// read here and its key imported into WebCrypto as non-extractable; only the header leaves the page.
import { b64decode, b64encode } from "./verify.js";

// A pilotctl key file: a "# pilotledger actor: <id>" line and a PKCS#8 PEM Ed25519 private key.
export async function loadKeyFile(text) {
  const actor = /^# pilotledger actor: (\S+)\s*$/m.exec(text);
  const pem = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(text);
  if (!actor || !pem) throw new Error("not a PilotLedger key file");
  const key = await crypto.subtle.importKey("pkcs8", b64decode(pem[1].replace(/\s+/g, "")), { name: "Ed25519" }, false, ["sign"]);
  return { actor: actor[1], key };
}

// Authorization: PilotLedger-Sig actor=…,time=…,sig=… for GET `target` (path and query as sent).
export async function readAuthorization(signer, target) {
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const message = new TextEncoder().encode(`pilotledger:read:v1\nGET ${target}\n${time}`);
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, signer.key, message));
  return `PilotLedger-Sig actor=${signer.actor},time=${time},sig=${b64encode(sig)}`;
}
