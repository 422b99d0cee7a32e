import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/open.ts';
import { newDeliveryId } from '../src/submission/delivery-id.ts';
import { agendaDisclosure } from '../test/support/agenda-disclosure.ts';
import { sqliteMB } from './proc.ts';
import { summarise } from './stats.ts';

// node bench/store-growth.ts [--sizes 200,2200] [--rate 22] [--ids v4]: whether the store's work for a
// message grows with its SQLite file, without the rest of the hub. Messages as the hub stores them
// (looked up, saved with three push deliveries of 90 kB ciphertext, each delivery read and marked
// delivered), ciphertexts purged as they are received. The file is grown fast (16 messages at a time) to
// each size, then messages are offered at --rate for a minute, twice: their store time per message,
// the bytes the process wrote and its CPU. --ids v4 gives deliveries random ids, as the hub did before
// its ids were ordered by time.

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '200,2200' }, rate: { type: 'string', default: '22' }, ids: { type: 'string', default: 'v7' } } });
const newId = args.ids === 'v4' ? () => randomUUID() : () => newDeliveryId();
const rate = Number(args.rate);
const dir = mkdtempSync(join(tmpdir(), 'aoh-bench-growth-'));
const path = join(dir, 'hub.db');
const store = await openStore({ kind: 'sqlite', path, thread: true });
const ciphertext = Buffer.alloc(90_000, 7);
const writtenMB = () => Number(/^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0) / 2 ** 20;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const purgeReceived = () => store.purgeReceivedCiphertext({ receivedBefore: new Map(), otherwise: new Date(Date.now() + 60_000).toISOString(), at: new Date().toISOString() }, 1000);

/** One message's store calls, as the hub makes them; its time in ms. */
async function storeOne(): Promise<number> {
  const base = agendaDisclosure(randomUUID(), 1);
  const deliveries = [0, 1, 2].map(() => ({ ...base.delivery, deliveryId: newId(), transport: 'push' as const, ciphertext }));
  const start = performance.now();
  await store.findMessage(base.message.sender, base.message.messageId);
  await store.saveOutbox(base.message, deliveries, deliveries.map((d) => ({ ...base.disclosure, ...d })));
  await Promise.all(
    deliveries.map(async (d) => {
      await store.getDelivery(d.deliveryId, ciphertext);
      await store.appendEventOnce({ deliveryId: d.deliveryId, event: 'delivered', at: new Date().toISOString() });
    }),
  );
  return performance.now() - start;
}

async function growTo(mb: number): Promise<void> {
  for (let n = 1; sqliteMB(path) < mb; n++) {
    await Promise.all(Array.from({ length: 16 }, storeOne));
    if (n % 20 === 0) await purgeReceived();
  }
}

async function paced(seconds: number): Promise<string> {
  const times: number[] = [];
  const pending: Promise<void>[] = [];
  const [written, cpu, start] = [writtenMB(), cpuMs(), performance.now()];
  const purger = setInterval(() => void purgeReceived(), 1000);
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(storeOne().then((ms) => void times.push(ms)));
  }
  await Promise.all(pending);
  clearInterval(purger);
  const { count: n, p50, p95, p99, max } = summarise(times);
  const ms = (x: number | undefined) => x?.toFixed(1);
  return `p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(p99)}, slowest ${ms(max)} ms; wrote ${(((writtenMB() - written) * 1024) / n).toFixed(0)} kB and used ${((cpuMs() - cpu) / n).toFixed(2)} ms of CPU per message`;
}

try {
  for (const mb of args.sizes.split(',').map(Number)) {
    const began = performance.now();
    await growTo(mb);
    console.log(`${args.ids} ids: grown to ${sqliteMB(path).toFixed(0)} MB (${((performance.now() - began) / 1000).toFixed(0)} s)`);
    for (let k = 0; k < 2; k++) console.log(`  ${rate} msg/s for 60 s: store time per message ${await paced(60)}`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
