import { performance } from 'node:perf_hooks';
import * as openpgp from 'openpgp';
import { inclusionProof, inclusionProofs, leafHash, rootOf } from '../src/disclosure-log/merkle.ts';
import { DisclosureLog } from '../src/disclosure-log/service.ts';
import type { Checkpoint, DisclosureLogStore } from '../src/disclosure-log/types.ts';

// node bench/merkle.ts [sizes…]: how long the disclosure log's tree takes at a given size. Times only;
// correctness is the unit tests' business. Default sizes 100,000 and 1,000,000 leaves.

function time<T>(fn: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

/** A log held in memory: what DisclosureLog.checkpoint reads, without a database in the measurement. */
function memoryStore(leaves: Buffer[]): DisclosureLogStore {
  const checkpoints: Checkpoint[] = [];
  const store: Partial<DisclosureLogStore> = {
    size: async () => leaves.length,
    leafHashes: async (from, to) => leaves.slice(from, to),
    checkpoints: async () => checkpoints,
    addCheckpoint: async (c) => void checkpoints.push(c),
  };
  return store as DisclosureLogStore;
}

const { privateKey } = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'bench' }], format: 'object' });
const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100_000, 1_000_000];
for (const n of sizes) {
  const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(String(i))));
  const root = time(() => rootOf(leaves));
  const proof = time(() => inclusionProof(n >> 1, leaves));
  // A delivery's proof covers its entries: one per person and per status event, here eight.
  const eight = Array.from({ length: 8 }, (_, i) => n - 1 - i * 3);
  const proofs = time(() => inclusionProofs(eight, leaves));
  const log = new DisclosureLog(memoryStore(leaves), { sign: [privateKey], verify: [privateKey.toPublic()] });
  const first = performance.now();
  await log.checkpoint();
  const firstMs = performance.now() - first;
  leaves.push(leafHash(Buffer.from('one more')));
  const next = performance.now();
  const c = await log.checkpoint();
  const nextMs = performance.now() - next;
  if (c.rootHash !== rootOf(leaves).toString('hex')) throw new Error('checkpoint root differs from rootOf');
  console.log(`${n} leaves: rootOf ${root.ms.toFixed(0)} ms, inclusionProof ${proof.ms.toFixed(0)} ms (${proof.result.length} hashes), 8 proofs at once ${proofs.ms.toFixed(0)} ms, first checkpoint ${firstMs.toFixed(0)} ms, checkpoint after one more leaf ${nextMs.toFixed(0)} ms`);
}
