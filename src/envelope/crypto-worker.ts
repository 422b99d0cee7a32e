import { parentPort, workerData } from 'node:worker_threads';
import { HubProblem } from '../errors/problem.ts';
import { inThreadCrypto, keysFromMaterial, type KeyMaterial } from './crypto.ts';
import type { CryptoReply, CryptoRequest } from './crypto-protocol.ts';

// One thread of the crypto pool: parses the keys once, then opens and seals what the hub sends it.
const material = workerData as KeyMaterial;
let ready = keysFromMaterial(material).then(inThreadCrypto);

/** Jobs that arrive from now on wait for the new keys; if they cannot be read, the previous ones stay. */
async function replaceKeys(next: KeyMaterial): Promise<null> {
  const previous = ready;
  const replaced = keysFromMaterial(next).then(inThreadCrypto);
  ready = replaced.catch(() => previous);
  await replaced;
  return null;
}

async function answer(request: CryptoRequest): Promise<CryptoReply> {
  try {
    if (request.op === 'keys') return { id: request.id, ok: true, result: await replaceKeys(request.material) };
    const crypto = await ready;
    const result = request.op === 'open' ? await crypto.open(request.armored, request.sender, request.limits, new Date(request.at)) : await crypto.seal(request.plaintext, request.recipient, new Date(request.at));
    return { id: request.id, ok: true, result };
  } catch (err) {
    if (err instanceof HubProblem) return { id: request.id, ok: false, problem: { slug: err.kind.slug, detail: err.detail, errors: err.errors } };
    return { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** A sealed message's bytes move to the main thread instead of being copied. */
const transferable = (reply: CryptoReply) => (reply.ok && reply.result && 'ciphertext' in reply.result ? [reply.result.ciphertext.buffer as ArrayBuffer] : []);

parentPort?.on('message', (request: CryptoRequest) => {
  void answer(request).then((reply) => parentPort?.postMessage(reply, transferable(reply)));
});
