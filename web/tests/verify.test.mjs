// The page's proof and signing code (web/static/verify.js, sign.js) under Node's WebCrypto, against
// the worked example of docs/protocol.md §16 and trees built here by the RFC 9162 definitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPublicKey, verify, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseLedgerKey, verifyCheckpoint, rootFromInclusionProof, verifyInclusion, b64encode } from "../static/verify.js";
import { loadKeyFile, readAuthorization } from "../static/sign.js";

const root = path.resolve(import.meta.dirname, "../..");
const example = JSON.parse(readFileSync(path.join(root, "tests/testdata/worked_example.json"), "utf8"));
const sha = (...parts) => new Uint8Array(createHash("sha256").update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest());

// RFC 9162 §2.1.1 MTH and §2.1.3.1 PATH, recursively, over leaf hashes.
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha([1], mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function pathOf(m, leaves) {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...pathOf(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...pathOf(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

test("the worked example's ledger key (its base64 holds '+') parses, with its key id", async () => {
  const key = await parseLedgerKey(example.ledger_key.ledger_key_response);
  assert.equal(key.name, "example.pilotledger/log");
  assert.equal(Buffer.from(key.id).toString("hex"), example.ledger_key.key_id_hex);
  await assert.rejects(parseLedgerKey(example.ledger_key.verifier_key.replace("+f6a3f19d+", "+f6a3f19e+")), /id does not match/);
  await assert.rejects(parseLedgerKey("example.pilotledger/log+f6a3f19d"), /malformed ledger key/);
});

test("the worked example's checkpoints verify; an altered one does not", async () => {
  const key = await parseLedgerKey(example.ledger_key.verifier_key);
  for (const [size, cp] of Object.entries(example.tree.checkpoints)) {
    const got = await verifyCheckpoint(cp.note, key);
    assert.equal(got.size, Number(size));
    assert.equal(b64encode(got.root), cp.root.b64);
  }
  const two = example.tree.checkpoints["2"].note;
  await assert.rejects(verifyCheckpoint(two.replace("\n2\n", "\n3\n"), key), /Ed25519 signature does not verify/);
  await assert.rejects(verifyCheckpoint(two.replace(/^example/, "other"), key), /origin other/);
});

test("inclusion proofs of every leaf of trees of 1 to 33 leaves verify; an altered hash or length does not", async () => {
  for (let size = 1; size <= 33; size++) {
    const leaves = Array.from({ length: size }, () => sha([0], randomBytes(8)));
    const treeRoot = mth(leaves);
    for (let m = 0; m < size; m++) {
      const proof = pathOf(m, leaves);
      assert.deepEqual(await rootFromInclusionProof(m, size, leaves[m], proof), treeRoot, `${m} of ${size}`);
      if (proof.length) {
        const bad = proof.map((p) => new Uint8Array(p));
        bad[bad.length - 1][0] ^= 1;
        assert.notDeepEqual(await rootFromInclusionProof(m, size, leaves[m], bad), treeRoot);
        assert.equal(await rootFromInclusionProof(m, size, leaves[m], proof.slice(1)), null);
      }
      assert.equal(await rootFromInclusionProof(m, size, leaves[m], [...proof, leaves[0]]), null);
    }
  }
  const leaves = [sha([0], "a"), sha([0], "b"), sha([0], "c")];
  const cp = { size: 3, root: mth(leaves) };
  const fetchProof = async (i) => ({ hashes: pathOf(i, leaves).map(b64encode) });
  await verifyInclusion(2, leaves[2], cp, fetchProof);
  await assert.rejects(verifyInclusion(1, leaves[2], cp, fetchProof), /does not lead to the checkpoint's root/);
  await assert.rejects(verifyInclusion(3, leaves[2], cp, fetchProof), /beyond the checkpoint's size 3/);
});

test("the read header is signed in the browser over the documented bytes", async () => {
  const seed = Buffer.from(example.keys.miit.seed_hex, "hex");
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const pem = `# pilotledger actor: miit\n-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
  const signer = await loadKeyFile(pem);
  assert.equal(signer.actor, "miit");
  const header = await readAuthorization(signer, "/v1/campaigns/sample-2026/quotas");
  const m = /^PilotLedger-Sig actor=miit,time=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ),sig=([A-Za-z0-9+/]{86}==)$/.exec(header);
  assert.ok(m, header);
  const pub = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(example.keys.miit.public_key_hex, "hex")]), format: "der", type: "spki" });
  assert.ok(verify(null, Buffer.from(`pilotledger:read:v1\nGET /v1/campaigns/sample-2026/quotas\n${m[1]}`), pub, Buffer.from(m[2], "base64")));
  await assert.rejects(loadKeyFile("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), /not a PilotLedger key file/);
});
