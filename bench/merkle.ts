import { performance } from 'node:perf_hooks';
import * as openpgp from 'openpgp';
import { consistencyProof, inclusionProof, inclusionProofs, leafHash, leafSubtrees, rootOf } from '../src/disclosure-log/merkle.ts';
import { DisclosureLog } from '../src/disclosure-log/service.ts';
import { LogTree } from '../src/disclosure-log/tree.ts';
import type { Checkpoint, DisclosureLogStore } from '../src/disclosure-log/types.ts';

// node bench/merkle.ts [sizes…]: how long the disclosure log's tree takes at a given size. Times only;
// correctness is the unit tests' business. Default sizes 100,000 and 1,000,000 leaves.

async function time<T>(fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
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
  const root = await time(() => rootOf(leaves));
  // A delivery's proof covers its entries: one per person and per status event, here eight.
  const eight = Array.from({ length: 8 }, (_, i) => n - 1 - i * 3);
  const fromLeaves = await time(() => inclusionProofs(eight, leafSubtrees(leaves)));
  const grown = await time(() => {
    const tree = new LogTree();
    for (const leaf of leaves) tree.append(leaf);
    return tree;
  });
  const tree = grown.result;
  const read = async (from: number, to: number) => leaves.slice(from, to);
  const proof = await time(async () => inclusionProof(n >> 1, await tree.view(n, [n >> 1], read)));
  const proofs = await time(async () => inclusionProofs(eight, await tree.view(n, eight, read)));
  const consistency = await time(async () => consistencyProof(n >> 1, await tree.view(n, [(n >> 1) - 1], read)));
  const log = new DisclosureLog(memoryStore(leaves), { sign: [privateKey], verify: [privateKey.toPublic()] });
  const first = await time(() => log.checkpoint());
  leaves.push(leafHash(Buffer.from('one more')));
  const next = await time(() => log.checkpoint());
  if (next.result.rootHash !== rootOf(leaves).toString('hex')) throw new Error('checkpoint root differs from rootOf');
  console.log(
    `${n} leaves: rootOf ${root.ms.toFixed(0)} ms; 8 proofs from the leaves ${fromLeaves.ms.toFixed(0)} ms; ` +
      `kept subtrees grown ${grown.ms.toFixed(0)} ms, then one proof ${proof.ms.toFixed(2)} ms (${proof.result.length} hashes), 8 proofs ${proofs.ms.toFixed(2)} ms, ` +
      `a consistency proof ${consistency.ms.toFixed(2)} ms; first checkpoint ${first.ms.toFixed(0)} ms, checkpoint after one more leaf ${next.ms.toFixed(0)} ms`,
  );
}
