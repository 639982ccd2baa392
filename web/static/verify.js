// Proofs checked in the browser with WebCrypto: RFC 9162 inclusion proofs (SHA-256) and the
// checkpoint's C2SP signed-note Ed25519 signature against the ledger key (docs/protocol.md §10, §11).
const enc = new TextEncoder();

export function b64decode(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// SHA-256(0x00 ‖ leaf): the leaf hash of an entry's bytes exactly as served.
export const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// RFC 9162 §2.1.3.2: the root that `path` leads to from the leaf hash at `index` in a tree of
// `size`, or null when the path has the wrong length for (index, size).
export async function rootFromInclusionProof(index, size, leaf, path) {
  if (index >= size) return null;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// "<origin>+<key id hex>+<base64(0x01 ‖ public key)>". Throws on a malformed key or a key id that
// does not match SHA-256(origin ‖ "\n" ‖ 0x01 ‖ key).
export async function parseLedgerKey(text) {
  // The name holds no "+"; the base64 key may.
  const parts = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim())?.slice(1);
  if (!parts) throw new Error("malformed ledger key");
  const raw = b64decode(parts[2]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error("the ledger key is not an Ed25519 note key");
  const id = (await sha256(concat(enc.encode(parts[0] + "\n"), raw))).slice(0, 4);
  if (hex(id) !== parts[1]) throw new Error("the ledger key's id does not match its key");
  const key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  return { name: parts[0], id, key, text: text.trim() };
}

// Checks a signed checkpoint note against the parsed ledger key; returns {origin, size, root}.
// Throws an Error whose message says what failed.
export async function verifyCheckpoint(note, ledgerKey) {
  const split = note.indexOf("\n\n");
  if (split < 0) throw new Error("checkpoint: no signature block");
  const text = note.slice(0, split + 1);
  const lines = text.split("\n");
  if (lines.length < 4 || !/^[0-9]+$/.test(lines[1])) throw new Error("checkpoint: malformed text");
  const root = b64decode(lines[2]);
  if (lines[0] !== ledgerKey.name) throw new Error(`checkpoint: origin ${lines[0]} is not the ledger key's ${ledgerKey.name}`);
  let signed = false;
  for (const line of note.slice(split + 2).split("\n")) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== ledgerKey.name) continue;
    const sig = b64decode(m[2]);
    if (sig.length !== 68 || !equal(sig.slice(0, 4), ledgerKey.id)) continue;
    if (await crypto.subtle.verify({ name: "Ed25519" }, ledgerKey.key, sig.slice(4), enc.encode(text))) signed = true;
  }
  if (!signed) throw new Error("checkpoint: the Ed25519 signature does not verify against the ledger key");
  return { origin: lines[0], size: Number(lines[1]), root };
}

// Verifies that the entry whose leaf hash is `leaf` is entry `seq` of the verified checkpoint `cp`,
// fetching the proof with `fetchProof(index, size)` → {hashes}. Throws saying what failed.
export async function verifyInclusion(seq, leaf, cp, fetchProof) {
  if (seq >= cp.size) throw new Error(`entry ${seq} is beyond the checkpoint's size ${cp.size}`);
  const proof = await fetchProof(seq, cp.size);
  const root = await rootFromInclusionProof(seq, cp.size, leaf, proof.hashes.map(b64decode));
  if (!root) throw new Error("the inclusion proof has the wrong length");
  if (!equal(root, cp.root)) throw new Error("the inclusion proof does not lead to the checkpoint's root");
}
