// Verifies an audit trail in the browser, trusting nothing the server says about it: each record's
// hash recomputed from its canonical JSON (RFC 8785), the chain links between adjacent records, each
// inclusion proof against the signed checkpoint's root (RFC 9162), and the checkpoint's Ed25519
// signature (C2SP signed-note) by the log's verifier key.
//
// SHA-256 and Ed25519 come from Web Crypto where the page is a secure context (HTTPS, localhost);
// elsewhere (plain HTTP on a LAN) from the vendored noble libraries. Nothing is ever called verified
// without having been checked.

import { sha256 as nobleSha256, sha512 as nobleSha512 } from './vendor/noble-hashes/sha2.js';
import * as nobleEd25519 from './vendor/noble-ed25519/index.js';

nobleEd25519.etc.sha512Sync = (...parts) => nobleSha512(nobleEd25519.etc.concatBytes(...parts));

const encoder = new TextEncoder();

/** Whether Web Crypto's SHA-256 and Ed25519 may be used here. */
function webCrypto() {
  return globalThis.crypto?.subtle && globalThis.isSecureContext !== false ? globalThis.crypto.subtle : null;
}

/** SHA-256 of `bytes`. */
export async function sha256(bytes) {
  const subtle = webCrypto();
  if (subtle) {
    return new Uint8Array(await subtle.digest('SHA-256', bytes));
  }
  return nobleSha256(bytes);
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of `message`. */
export async function ed25519Verify(publicKey, signature, message) {
  const subtle = webCrypto();
  if (subtle) {
    try {
      const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
    } catch (error) {
      if (error?.name !== 'NotSupportedError') return false;
      // A browser without Ed25519 in Web Crypto: the vendored implementation decides.
    }
  }
  try {
    return nobleEd25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** RFC 8785 canonical JSON of a record value: sorted keys, no whitespace, integers only. */
export function canonicalJson(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new Error(`${value} is not an integer a record may hold`);
  }
  return JSON.stringify(value);
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  if (!/^([0-9a-f]{2})*$/.test(text)) throw new Error(`${text} is not lowercase hex`);
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function fromBase64(text) {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The hash a record's own bytes give: SHA-256 of its canonical JSON without `hash`, hex. */
export async function recordHash(record) {
  const { hash: _claimed, ...hashed } = record;
  return toHex(await sha256(encoder.encode(canonicalJson(hashed))));
}

/** RFC 9162 §2.1.3.2: whether `hashes` prove the leaf `leaf` (32 bytes) at `leafIndex` of a tree of `treeSize`. */
export async function verifyInclusion(leaf, leafIndex, treeSize, hashes, root) {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = await sha256(concat(Uint8Array.of(0), leaf));
  for (const sibling of hashes) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat(Uint8Array.of(1), sibling, r));
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(concat(Uint8Array.of(1), r, sibling));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

/** A note-verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, parsed. */
export function parseVerifierKey(text) {
  // The name holds no '+'; the base64 after the key id may.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
  const [, name, keyIdHex, keyBase64] = match ?? [];
  const key = keyBase64 ? fromBase64(keyBase64) : new Uint8Array();
  if (!match || key.length !== 33 || key[0] !== 1) {
    throw new Error('the verifier key is not a note-verifier Ed25519 key');
  }
  return { name, keyId: fromHex(keyIdHex), publicKey: key.slice(1) };
}

/**
 * Checks a C2SP signed checkpoint against the verifier key: answers its origin, size and root, or
 * throws saying why not.
 */
export async function verifyCheckpoint(note, verifierKey) {
  const key = parseVerifierKey(verifierKey);
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint has no signature block');
  const body = note.slice(0, split + 1);
  const [origin, size, rootBase64] = body.split('\n');
  const expectedId = (await sha256(concat(encoder.encode(key.name), Uint8Array.of(0x0a, 0x01), key.publicKey))).slice(0, 4);
  if (!equalBytes(expectedId, key.keyId)) throw new Error("the verifier key's id does not match its name and key");
  let signed = false;
  for (const line of note.slice(split + 2).split('\n')) {
    const match = /^— (\S+) (\S+)$/.exec(line);
    if (!match || match[1] !== key.name) continue;
    const blob = fromBase64(match[2]);
    if (blob.length !== 68 || !equalBytes(blob.slice(0, 4), key.keyId)) continue;
    signed = await ed25519Verify(key.publicKey, blob.slice(4), encoder.encode(body));
    if (signed) break;
  }
  if (!signed) throw new Error(`the checkpoint is not signed by ${key.name}`);
  const treeSize = Number(size);
  if (!/^(0|[1-9][0-9]*)$/.test(size ?? '') || !Number.isSafeInteger(treeSize)) throw new Error('the checkpoint size is not a number');
  const root = fromBase64(rootBase64 ?? '');
  if (root.length !== 32) throw new Error('the checkpoint root is not 32 bytes');
  return { origin, treeSize, root };
}

/**
 * Verifies a trail (`GET /v1/audit/…/{id}?proofs=true`) against the verifier key
 * (`GET /v1/checkpoint/key`). Answers `{ok, reason?, records: [{position, ok, reason?}]}`: a record is
 * verified when its hash is its own, it links to the record before it where that one is in the
 * trail, and its inclusion proof leads to the signed checkpoint's root.
 */
export async function verifyTrail(trail, verifierKey) {
  const entries = trail.records ?? [];
  let checkpoint = null;
  let reason;
  try {
    checkpoint = await verifyCheckpoint(trail.checkpoint ?? '', verifierKey);
  } catch (error) {
    reason = error.message;
  }
  const results = [];
  let previous = null;
  for (const entry of entries) {
    const record = entry.record ?? {};
    const position = record.position;
    const result = { position, ok: true };
    // `code` and `values` let a view say it in its own language; `reason` says it in English.
    const fail = (why, code = 'error', values = {}) => {
      if (result.ok) Object.assign(result, { ok: false, reason: why, code, values });
    };
    try {
      const hash = await recordHash(record);
      if (hash !== record.hash) fail(`its hash is ${hash}, not the ${record.hash} it claims`, 'hash', { computed: hash, claimed: record.hash });
      if (previous && previous.position + 1 === position && record.prev_hash !== previous.hash) {
        fail(`it does not link to record ${previous.position} (prev_hash ${record.prev_hash})`, 'link', { previous: previous.position });
      }
      if (!checkpoint) {
        fail(`the checkpoint does not verify: ${reason}`, 'checkpoint', { reason });
      } else if (!entry.proof) {
        fail('it has no inclusion proof', 'no_proof');
      } else {
        const { leaf_index: leafIndex, tree_size: treeSize, hashes } = entry.proof;
        if (treeSize !== checkpoint.treeSize || leafIndex !== position - 1) {
          fail('its proof is for another place or tree', 'proof_elsewhere');
        } else if (!(await verifyInclusion(fromHex(record.hash), leafIndex, treeSize, hashes.map(fromHex), checkpoint.root))) {
          fail("its inclusion proof does not lead to the checkpoint's root", 'proof');
        }
      }
    } catch (error) {
      fail(error.message, 'error', { message: error.message });
    }
    results.push(result);
    previous = record;
  }
  const bad = results.find((r) => !r.ok);
  return {
    ok: Boolean(checkpoint) && results.length > 0 && !bad,
    reason: bad ? `record ${bad.position}: ${bad.reason}` : reason,
    records: results,
  };
}
