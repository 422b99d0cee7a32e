import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../src/store/open.ts';
import { agendaDisclosure } from '../test/support/agenda-disclosure.ts';

// node bench/log-entries.ts [persons…]: what one delivery of a message naming N persons costs the
// disclosure log, in an SQLite file: the bytes of its entries as stored, and the time to build and
// append them (with the delivery, in one transaction). Default N = 10, 100, 900.

const dir = mkdtempSync(join(tmpdir(), 'aoh-bench-log-'));
const store = await openStore({ kind: 'sqlite', path: join(dir, 'hub.db') });
try {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10, 100, 900];
  for (const [i, persons] of sizes.entries()) {
    const { message, delivery, disclosure } = agendaDisclosure(String(i), persons);
    const start = performance.now();
    await store.saveOutbox(message, [delivery], [disclosure]);
    const ms = performance.now() - start;
    const bytes = (await store.log.entriesOfDelivery(delivery.deliveryId)).map((e) => Buffer.byteLength(JSON.stringify(e.entry)));
    const kib = (bytes: number) => (bytes / 1024).toFixed(1);
    console.log(`${String(persons).padStart(5)} persons: ${String(bytes.length).padStart(4)} entries, ${kib(bytes.reduce((a, b) => a + b, 0)).padStart(9)} KiB stored (largest entry ${kib(Math.max(...bytes))} KiB), build+append ${ms.toFixed(0)} ms`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
