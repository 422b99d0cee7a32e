import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PURGE_BATCH } from '../src/delivery/purge.ts';
import { openStore } from '../src/store/open.ts';
import type { HubStore } from '../src/store/types.ts';
import { agendaDisclosure } from '../test/support/agenda-disclosure.ts';
import { sqliteMB } from './proc.ts';

// node bench/purge.ts [ciphertext KiB…]: what the purge of received ciphertext costs in an SQLite file,
// per transaction of 8, 32 (the hub's) and 128 deliveries (SQLite runs on the event loop, so this is how
// long one purge holds it), and whether the freed pages are reused: the file's size after a second round
// of as many deliveries. Default 66 and 1400 KiB (the armoured views of 64 kB and 1 MB payloads).

const BATCHES = [8, PURGE_BATCH, 128];

async function storeReceived(store: HubStore, round: string, count: number, bytes: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { message, delivery, disclosure } = agendaDisclosure(`${round}-${i}`, 1);
    const pushed = { ...delivery, transport: 'push' as const, ciphertext: randomBytes(bytes) };
    await store.saveOutbox(message, [pushed], [{ ...disclosure, ...pushed }]);
    await store.appendEvent({ deliveryId: pushed.deliveryId, event: 'delivered', at: new Date().toISOString() });
  }
}

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [66, 1400];
for (const kib of sizes) {
  for (const batch of BATCHES) {
    const dir = mkdtempSync(join(tmpdir(), 'aoh-bench-purge-'));
    const path = join(dir, 'hub.db');
    const store = await openStore({ kind: 'sqlite', path });
    try {
      const count = 2 * batch;
      await storeReceived(store, 'a', count, kib * 1024);
      const stored = sqliteMB(path);
      const purge = { receivedBefore: new Map<string, string>(), otherwise: new Date(Date.now() + 60_000).toISOString(), at: new Date().toISOString() };
      const times: number[] = [];
      for (let purged = 0; purged < count; ) {
        const start = performance.now();
        purged += await store.purgeReceivedCiphertext(purge, batch);
        times.push(performance.now() - start);
      }
      await storeReceived(store, 'b', count, kib * 1024);
      const again = sqliteMB(path);
      const slowest = Math.max(...times);
      console.log(`${String(kib).padStart(5)} KiB × ${String(batch).padStart(3)} per transaction: ${times.map((t) => t.toFixed(1)).join(', ')} ms (slowest ${(slowest / batch).toFixed(2)} ms a delivery); file ${stored.toFixed(0)} MB with ${count} stored, ${again.toFixed(0)} MB after ${count} more`);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
