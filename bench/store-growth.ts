import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.ts';
import { agendaDisclosure } from '../test/support/agenda-disclosure.ts';
import { sqliteMB } from './proc.ts';

// node bench/store-growth.ts [MB]: whether the store's work for a message grows with its SQLite file.
// Messages to three push recipients (90 kB of ciphertext each, random delivery ids as the hub's), each
// delivery then marked delivered, the ciphertext purged every 20 messages, back to back on the store's
// thread until the file reaches MB (default 2200); per 2000 messages the file's size and how long a
// message's store calls took. An hour's soak of the bench had its tail rise once the file passed 1.5 GB.

const PER_LINE = 2000;
const targetMB = Number(process.argv[2] ?? 2200);
const dir = mkdtempSync(join(tmpdir(), 'aoh-bench-growth-'));
const path = join(dir, 'hub.db');
const store = await openStore({ kind: 'sqlite', path, thread: true });
const ciphertext = Buffer.alloc(90_000, 7);
const purgeNow = () => ({ receivedBefore: new Map<string, string>(), otherwise: new Date(Date.now() + 60_000).toISOString(), at: new Date().toISOString() });

async function storeOne(): Promise<number> {
  const base = agendaDisclosure(randomUUID(), 12);
  const deliveries = [0, 1, 2].map(() => ({ ...base.delivery, deliveryId: randomUUID(), transport: 'push' as const, ciphertext }));
  const start = performance.now();
  await store.saveOutbox(base.message, deliveries, deliveries.map((d) => ({ ...base.disclosure, ...d })));
  for (const d of deliveries) await store.appendEventOnce({ deliveryId: d.deliveryId, event: 'delivered', at: new Date().toISOString() });
  return performance.now() - start;
}

try {
  const began = performance.now();
  for (let stored = 0, mb = 0; mb < targetMB; ) {
    const times: number[] = [];
    for (let i = 0; i < PER_LINE; i++) {
      times.push(await storeOne());
      if (++stored % 20 === 0) await store.purgeReceivedCiphertext(purgeNow(), 64);
    }
    times.sort((a, b) => a - b);
    mb = sqliteMB(path);
    const at = (q: number) => times[Math.floor(times.length * q)]!.toFixed(2);
    console.log(`${stored} messages, ${mb.toFixed(0)} MB: store ms per message p50 ${at(0.5)}, p99 ${at(0.99)} (${((performance.now() - began) / 1000).toFixed(0)} s)`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
