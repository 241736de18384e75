// The console's trail verification (server/console/verify.js) against the conformance vectors in
// testdata/vectors: record hashes from canonical JSON, RFC 9162 inclusion proofs, C2SP signed
// checkpoints; then whole trails, intact and with one bit changed anywhere. Run twice: with Web
// Crypto, and with it unavailable (as on a page served over plain HTTP), on the vendored fallback.
//
// usage: node --experimental-detect-module tests/browser/verify.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vectors = `${root}testdata/vectors/`;
const verify = await import(`${root}server/console/verify.js`);

const records = readFileSync(`${vectors}records.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const canonical = readFileSync(`${vectors}records.canonical.txt`, 'utf8').split('\n');
const tree = JSON.parse(readFileSync(`${vectors}tree.json`, 'utf8'));

/** A trail of the first three records, with their proofs in the checkpoint of size 3. */
function trailOfThree() {
  const proofs = tree.inclusion.filter((p) => p.tree_size === 3);
  return {
    checkpoint: tree.checkpoints['3'],
    records: records.slice(0, 3).map((record, i) => ({
      record: structuredClone(record),
      proof: { leaf_index: i, tree_size: 3, hashes: proofs.find((p) => p.leaf_index === i).hashes },
    })),
  };
}

async function checks(path) {
  for (const [i, record] of records.entries()) {
    const { hash, ...hashed } = record;
    assert.equal(verify.canonicalJson(hashed), canonical[i], `${path}: canonical JSON of record ${i + 1}`);
    assert.equal(await verify.recordHash(record), hash, `${path}: hash of record ${i + 1}`);
  }
  for (const proof of tree.inclusion) {
    const leaf = verify.fromHex(records[proof.leaf_index].hash);
    const rootHash = verify.fromHex(tree.roots[String(proof.tree_size)]);
    const hashes = proof.hashes.map(verify.fromHex);
    assert.ok(await verify.verifyInclusion(leaf, proof.leaf_index, proof.tree_size, hashes, rootHash), `${path}: proof ${proof.leaf_index}/${proof.tree_size}`);
    const other = verify.fromHex(records[(proof.leaf_index + 1) % proof.tree_size].hash);
    assert.ok(!(await verify.verifyInclusion(other, proof.leaf_index, proof.tree_size, hashes, rootHash)), `${path}: another leaf's proof`);
  }
  for (const size of ['3', '5']) {
    const checked = await verify.verifyCheckpoint(tree.checkpoints[size], tree.verifier_key);
    assert.equal(checked.treeSize, Number(size));
    assert.equal(verify.toHex(checked.root), tree.roots[size], `${path}: checkpoint ${size}'s root`);
  }

  const intact = await verify.verifyTrail(trailOfThree(), tree.verifier_key);
  assert.ok(intact.ok, `${path}: the intact trail verifies: ${intact.reason}`);
  assert.deepEqual(intact.records.map((r) => r.ok), [true, true, true]);

  const altered = trailOfThree();
  altered.records[1].record.data = { ...altered.records[1].record.data, tampered: 1 };
  const caught = await verify.verifyTrail(altered, tree.verifier_key);
  assert.ok(!caught.ok, `${path}: an altered record fails`);
  assert.deepEqual(caught.records.map((r) => r.ok), [true, false, true]);
  assert.match(caught.reason, /^record 2: its hash is/);

  const relinked = trailOfThree();
  relinked.records[2].record.prev_hash = relinked.records[0].record.hash;
  assert.ok(!(await verify.verifyTrail(relinked, tree.verifier_key)).ok, `${path}: a broken link fails`);

  const note = tree.checkpoints['3'];
  const signature = note.lastIndexOf(' ') + 5;
  const flipped = note.slice(0, signature) + (note[signature] === 'A' ? 'B' : 'A') + note.slice(signature + 1);
  const forged = { ...trailOfThree(), checkpoint: flipped };
  const refused = await verify.verifyTrail(forged, tree.verifier_key);
  assert.ok(!refused.ok, `${path}: a checkpoint with a changed signature fails`);
  assert.ok(refused.records.every((r) => !r.ok));

  const signedByPlus = await verify.verifyCheckpoint(plus.note, plus.verifierKey);
  assert.equal(signedByPlus.treeSize, 3, `${path}: a verifier key whose base64 holds '+'`);

  const otherRoot = { ...trailOfThree(), checkpoint: tree.checkpoints['5'] };
  assert.ok(!(await verify.verifyTrail(otherRoot, tree.verifier_key)).ok, `${path}: proofs for another tree fail`);
}

/** A checkpoint signed by a fresh key whose verifier key's base64 holds a '+' (as real keys often do). */
async function checkpointOfAKeyWithAPlus() {
  const subtle = globalThis.crypto.subtle;
  for (;;) {
    const pair = await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
    const keyBase64 = Buffer.from(Uint8Array.of(1, ...publicKey)).toString('base64');
    if (!keyBase64.includes('+')) continue;
    const name = 'aidledger.test/plus';
    const idInput = Buffer.concat([Buffer.from(name), Buffer.of(0x0a, 0x01), Buffer.from(publicKey)]);
    const keyId = new Uint8Array(await subtle.digest('SHA-256', idInput)).slice(0, 4);
    const body = `${name}\n3\n${Buffer.from(verify.fromHex(tree.roots['3'])).toString('base64')}\n`;
    const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, pair.privateKey, Buffer.from(body)));
    const note = `${body}\n— ${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
    return { note, verifierKey: `${name}+${verify.toHex(keyId)}+${keyBase64}` };
  }
}
const plus = await checkpointOfAKeyWithAPlus();

await checks('Web Crypto');
Object.defineProperty(globalThis, 'isSecureContext', { value: false });
await checks('the vendored fallback');
console.log('verify.test.mjs: every check passed, with Web Crypto and with the vendored fallback');
