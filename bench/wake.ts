import { Worker } from 'node:worker_threads';

// node bench/wake.ts: what one message to a worker thread and its answer cost in CPU, back to back (both
// threads awake) and one every 5 ms (both asleep between, as at a moderate load). The hub sends each
// message to its crypto workers and its store's thread several times, so on a machine where a wake is
// dear a message that arrives alone costs more than one among many.

const ROUNDS = [
  { label: 'back to back', count: 20_000, gapMs: 0, send: true },
  { label: 'one every 5 ms', count: 600, gapMs: 5, send: true },
  // What the 5 ms timer's own wake costs, to be taken from the line above.
  { label: 'the timer alone', count: 600, gapMs: 5, send: false },
];

const echo = new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m));", { eval: true });
await new Promise((resolve) => echo.once('online', resolve));

const roundTrip = () =>
  new Promise<void>((resolve) => {
    echo.once('message', () => resolve());
    echo.postMessage('ping');
  });

for (let pass = 0; pass < 2; pass++) {
  for (const { label, count, gapMs, send } of ROUNDS) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      if (send) await roundTrip();
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    const used = process.cpuUsage(cpu);
    // Both threads are in this process, so its CPU holds both sides of each round trip (and, with a gap, the timer's wake).
    console.log(`${label.padEnd(15)} ${count} ${send ? 'round trips' : 'waits'}: ${((used.user + used.system) / 1000 / count).toFixed(3)} ms of CPU each (${(used.system / 1000 / count).toFixed(3)} in the kernel)`);
  }
}
await echo.terminate();
