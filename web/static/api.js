// The page's calls to the API of the server that served it (same origin; docs/api.md).
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function get(target, headers) {
  const r = await fetch(target, { headers, credentials: "omit", cache: "no-store" });
  if (!r.ok) {
    let code = "http_" + r.status, message = r.statusText;
    try {
      const e = (await r.json()).error;
      code = e.code;
      message = e.message;
    } catch { /* not the API's error body */ }
    throw new ApiError(r.status, code, message);
  }
  return r;
}

export const getJson = async (target, headers = {}) => (await get(target, headers)).json();
export const getText = async (target) => (await get(target)).text();
// The body's exact bytes (an entry's leaf, to hash as served).
export const getBytes = async (target) => new Uint8Array(await (await get(target)).arrayBuffer());

// Every unit the reader sees (paged by cursor).
export async function allUnits() {
  const units = [];
  let cursor = null;
  do {
    const page = await getJson("/v1/units?limit=1000" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    units.push(...page.units);
    cursor = page.next_cursor;
  } while (cursor);
  return units;
}

// The ledger key and the latest checkpoint, verified against it (verify.js), fetched once per page.
import { parseLedgerKey, verifyCheckpoint } from "./verify.js";
export async function trustedCheckpoint() {
  const keyText = await getText("/v1/ledger-key");
  const key = await parseLedgerKey(keyText);
  const note = await getText("/v1/checkpoint");
  return { key, checkpoint: await verifyCheckpoint(note, key) };
}

export const fetchProof = (index, size) => getJson(`/v1/proofs/inclusion?index=${index}&size=${size}`);
