import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as openpgp from 'openpgp';
import { loadAdapters } from '../adapters/registry.ts';
import { loadConfig } from '../src/config/load.ts';
import { CryptoPool } from '../src/envelope/crypto-pool.ts';
import type { KeyMaterial } from '../src/envelope/crypto.ts';
import { validateEnvelope } from '../src/messages/index.ts';
import { planDeliveries } from '../src/submission/plan.ts';
import { minutesEnvelope } from './payload.ts';
import { RECIPIENTS, SENDER } from './setup.ts';
import { summarise, type LatencySummary } from './stats.ts';

const armour = (certsDir: string, owner: string, kind: 'public' | 'private') => readFileSync(join(certsDir, owner, `pgp-${kind}.asc`), 'utf8');

/**
 * The sender's side on worker threads: its "seal" to the partner id `hub` is exactly what a partner
 * sends (encrypted to the hub, signed by the sender), so preparing thousands of messages uses every core.
 */
export function senderPool(certsDir: string, size: number): CryptoPool {
  const material: KeyMaterial = { hubKeys: [{ privateKey: armour(certsDir, `partners/${SENDER}`, 'private') }], partnerKeys: [['hub', [{ armored: armour(certsDir, 'hub', 'public') }]]] };
  return new CryptoPool(material, { size });
}

/** The hub's keys in a pool of its own, with nothing else around it: the cryptographic floor. */
export function floorPool(certsDir: string, size: number): CryptoPool {
  const partnerKeys: KeyMaterial['partnerKeys'] = [SENDER, ...RECIPIENTS].map((id) => [id, [{ armored: armour(certsDir, `partners/${id}`, 'public') }]]);
  return new CryptoPool({ hubKeys: [{ privateKey: armour(certsDir, 'hub', 'private') }], partnerKeys }, { size });
}

const sealForHub = (pool: CryptoPool, payload: Record<string, unknown>, recipients: string[]) => pool.seal(JSON.stringify(minutesEnvelope(payload, recipients)), 'hub', new Date());

/**
 * `count` distinct messages (each its own messageId) of the payload, to the given recipients, as the
 * bytes a partner sends: 32 at a time on every core, or with `spreadMs` one at a time spread over that
 * long, for preparing while the hub is being measured (a burst on both cores would stall the hub).
 */
export async function prepareMessages(pool: CryptoPool, payload: Record<string, unknown>, recipients: string[], count: number, spreadMs?: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  if (spreadMs !== undefined) {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = start + (i * spreadMs) / count - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      out.push((await sealForHub(pool, payload, recipients)).ciphertext);
    }
    return out;
  }
  for (let i = 0; i < count; i += 32) {
    const batch = Array.from({ length: Math.min(32, count - i) }, () => sealForHub(pool, payload, recipients));
    for (const sealed of await Promise.all(batch)) out.push(sealed.ciphertext);
  }
  return out;
}

export interface PlainDelivery {
  recipient: string;
  plaintext: string;
}

/** What the hub will seal for each recipient of such a message: its own plan, so that the floor seals the same sizes. */
export async function hubPlaintexts(configDir: string, certsDir: string, payload: Record<string, unknown>, recipients: string[]): Promise<PlainDelivery[]> {
  const config = loadConfig(configDir, {});
  const adapters = await loadAdapters(config.partners.map((p) => p.adapter));
  const pseudonymKey = Buffer.from(readFileSync(join(certsDir, 'hub', 'pseudonym.key'), 'utf8').trim(), 'hex');
  const plan = planDeliveries(validateEnvelope(minutesEnvelope(payload, recipients)), SENDER, { config, adapters, pseudonymKey, newId: randomUUID });
  return plan.deliveries.map((d) => ({ recipient: d.recipient, plaintext: d.plaintext }));
}

export interface Floor {
  messagesPerSecond: number;
  /** CPU of this process (all its threads) per message: what the OpenPGP work of one message costs. */
  cpuMsPerMessage: number;
  /** From the open's start to the last seal's end, per message. */
  latencyMs: LatencySummary;
}

/**
 * What the hub's OpenPGP work costs alone: per message one open (decrypt and verify) and one seal
 * (encrypt and sign) per recipient, of the same sizes and with the same keys, `concurrency` messages
 * at a time. Like the hub, it hands each message to the pool as bytes of its own (one copy per message).
 */
export async function measureFloor(pool: CryptoPool, messages: Uint8Array[], deliveries: PlainDelivery[], concurrency: number, durationMs: number): Promise<Floor> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const end = start + durationMs;
  let next = 0;
  const latencies: number[] = [];
  const loop = async () => {
    while (performance.now() < end) {
      const began = performance.now();
      const now = new Date();
      // Each open gets a buffer of its own, which moves to the worker, as a hub's request body does.
      await pool.open(Buffer.from(messages[next++ % messages.length]!), SENDER, { decompressedBytes: Number.MAX_SAFE_INTEGER, jsonValues: Number.MAX_SAFE_INTEGER }, now);
      await Promise.all(deliveries.map((d) => pool.seal(d.plaintext, d.recipient, now)));
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const used = process.cpuUsage(cpu);
  const done = latencies.length;
  return { messagesPerSecond: done / ((performance.now() - start) / 1000), cpuMsPerMessage: (used.user + used.system) / 1000 / Math.max(1, done), latencyMs: summarise(latencies) };
}

/** A delivery as the recipient's system reads it: decrypts with its key, the hub's signature verifies, the payload is whole. */
export async function deliveryChecks(certsDir: string, recipient: string, armored: string, payload: Record<string, unknown>): Promise<boolean> {
  try {
    const { data } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: armour(certsDir, `partners/${recipient}`, 'private') }),
      verificationKeys: await openpgp.readKey({ armoredKey: armour(certsDir, 'hub', 'public') }),
      expectSigned: true,
    });
    return isDeepStrictEqual((JSON.parse(data) as { payload: unknown }).payload, payload);
  } catch {
    return false;
  }
}
