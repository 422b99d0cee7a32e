import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { hubGauges, parsePrometheus } from '../../../bench/hub-metrics.ts';
import { outcome } from '../../../bench/load.ts';
import { minutesEnvelope, minutesPayload } from '../../../bench/payload.ts';
import { eventLoopSchedule, sampleProcess, sampleThreads, THREAD_KINDS, threadCpuSince } from '../../../bench/proc.ts';
import { cpuTable, markdownTable, type CellResult } from '../../../bench/report.ts';
import { parseDuration, percentile, slope, summarise } from '../../../bench/stats.ts';
import { loadWindow, slowWindows } from '../../../bench/windows.ts';
import { validateEnvelope } from '../../../src/messages/index.ts';
import { HubMetrics } from '../../../src/observability/metrics.ts';
import { STORE_THREAD_NAME } from '../../../src/store/thread/threaded-store.ts';

describe('the bench payload', () => {
  it.each([1000, 64_000])('is valid minutes of %i bytes', (bytes) => {
    const payload = minutesPayload(bytes);
    expect(() => validateEnvelope(minutesEnvelope(payload, ['bench-r1']))).not.toThrow();
    expect(Math.abs(JSON.stringify(payload).length - bytes)).toBeLessThan(bytes * 0.01);
  });

  it('grows to what the schema holds, about one person', () => {
    const payload = minutesPayload(1_000_000);
    expect(() => validateEnvelope(minutesEnvelope(payload, ['bench-r1', 'bench-r2']))).not.toThrow();
    expect(JSON.stringify(payload).length).toBeGreaterThan(900_000);
    expect(payload.persons).toHaveLength(1);
  });
});

describe('the bench statistics', () => {
  it('takes percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), percentile([], 50)]).toEqual([50, 95, 99, undefined]);
    expect(summarise([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
  });

  it('reads durations and fits a slope', () => {
    expect([parseDuration('10m'), parseDuration('5s'), parseDuration('250ms'), parseDuration('2')]).toEqual([600_000, 5000, 250, 2000]);
    expect(() => parseDuration('ten')).toThrow(/not a duration/);
    expect(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }])).toBeCloseTo(2);
    expect(slope([{ x: 0, y: 4 }])).toBe(0);
  });

  it('counts failed submissions by why they failed, and delivered ones from submission to the last arrival', () => {
    const runs = [
      { start: 0, answered: 5, status: 202, deliveryIds: ['a', 'b'] },
      { start: 1, answered: 2, status: 500, deliveryIds: [], failure: 'HTTP 500 internal' },
      { start: 2, answered: 3, status: 0, deliveryIds: [], failure: 'no answer: ECONNRESET' },
      { start: 3, answered: 4, status: 500, deliveryIds: [], failure: 'HTTP 500 internal' },
    ];
    const result = outcome(runs, new Map([['a', { at: 10 }], ['b', { at: 20 }]]) as Parameters<typeof outcome>[1]);
    expect(result).toMatchObject({ submitted: 4, accepted: 1, failed: 3, failures: { 'HTTP 500 internal': 2, 'no answer: ECONNRESET': 1 }, undelivered: 0 });
    expect(result.endToEndMs.max).toBe(20);
  });
});

// A worker thread that spends 0.3 s of its own CPU, however busy the machine, then says so.
const BURN = `const { parentPort } = require('node:worker_threads');
  const used = () => { const u = process.threadCpuUsage(); return u.user + u.system; };
  while (used() < 300_000) {}
  parentPort.postMessage('done');`;

/** Resolves once the thread has burnt its CPU: on its message if it stays, on its exit if it ends. */
function burn(keepAlive: boolean, name?: string): { worker: Worker; burnt: Promise<unknown> } {
  const worker = new Worker(keepAlive ? `${BURN} setInterval(() => {}, 60_000);` : BURN, { eval: true, ...(name ? { name } : {}) });
  // Listening from the start: an ending thread's message and exit may come in one turn.
  return { worker, burnt: new Promise((resolve) => worker.once(keepAlive ? 'message' : 'exit', resolve)) };
}

describe('the per-thread CPU of a process', () => {
  it('puts a worker thread under cryptoWorkers while it lives; an ended one counts for the process only', async () => {
    const before = sampleThreads(process.pid);
    const processBefore = sampleProcess(process.pid).cpuSeconds;
    await burn(false).burnt;
    const live = burn(true);
    await live.burnt;
    const used = threadCpuSince(process.pid, before);
    const processUsed = sampleProcess(process.pid).cpuSeconds - processBefore;
    await live.worker.terminate();
    // /proc counts in ticks of 10 ms: allow a few.
    expect(used.cryptoWorkers).toBeGreaterThanOrEqual(0.25);
    expect(used.cryptoWorkers).toBeLessThan(0.55);
    const sum = THREAD_KINDS.reduce((total, k) => total + used[k], 0);
    expect(processUsed - sum).toBeGreaterThanOrEqual(0.25);
  });

  it('puts the thread the store runs on under storeThread, by the name the store gives it', async () => {
    const before = sampleThreads(process.pid);
    const live = burn(true, STORE_THREAD_NAME);
    await live.burnt;
    const used = threadCpuSince(process.pid, before);
    await live.worker.terminate();
    expect(used.storeThread).toBeGreaterThanOrEqual(0.25);
    expect(used.cryptoWorkers).toBeLessThan(0.1);
  });
});

describe('the event loop\'s schedule', () => {
  it('counts the main thread\'s time on a core', () => {
    const before = eventLoopSchedule(process.pid)!;
    const started = performance.now();
    // Until this thread has had 200 ms of CPU, however busy the machine is with other tests.
    const cpuBefore = process.threadCpuUsage();
    const cpuMs = () => {
      const used = process.threadCpuUsage(cpuBefore);
      return (used.user + used.system) / 1000;
    };
    while (cpuMs() < 200);
    const wallSeconds = (performance.now() - started) / 1000;
    const after = eventLoopSchedule(process.pid)!;
    expect(after.runningSeconds - before.runningSeconds).toBeGreaterThan(0.18);
    // Running and waiting for a core are parts of the wall time (a little slack for the two reads).
    expect(after.runningSeconds - before.runningSeconds + after.waitingSeconds - before.waitingSeconds).toBeLessThan(wallSeconds + 0.01);
  });
});

describe('the soak’s reading of the hub’s metrics', () => {
  it('reads memory, the worker threads’ heaps (crypto and store) and the event-loop delay from what the hub serves', async () => {
    const metrics = new HubMetrics({
      queueDepths: async () => [],
      deadDeliveries: async () => new Map(),
      cryptoWorkerHeaps: async () => [
        { worker: 0, usedBytes: 5e6, totalBytes: 8e6 },
        { worker: 1, usedBytes: 7e6, totalBytes: 9e6 },
      ],
      storeThreadHeap: async () => ({ usedBytes: 3e6, totalBytes: 4e6 }),
    });
    const gauges = hubGauges(parsePrometheus(await metrics.registry.metrics()), 1);
    expect(gauges.rssBytes).toBeGreaterThan(gauges.heapUsedBytes);
    expect(gauges.heapUsedBytes).toBeGreaterThan(0);
    expect(gauges.heapTotalBytes).toBeGreaterThanOrEqual(gauges.heapUsedBytes);
    expect([gauges.workerHeapUsedBytes, gauges.workerHeapTotalBytes]).toEqual([15e6, 21e6]);
    expect(gauges.eventLoopLagMaxSeconds).toBeGreaterThanOrEqual(0);
  });

  it('counts major collections and pauses of 100 ms or more across kinds', () => {
    const gc = (kind: string, upTo100ms: number, count: number, sum: number) =>
      [`aoh_nodejs_gc_duration_seconds_bucket{le="0.1",kind="${kind}"} ${upTo100ms}`, `aoh_nodejs_gc_duration_seconds_sum{kind="${kind}"} ${sum}`, `aoh_nodejs_gc_duration_seconds_count{kind="${kind}"} ${count}`].join('\n');
    const text = ['# HELP aoh_nodejs_gc_duration_seconds GC', gc('minor', 40, 40, 0.2), gc('major', 3, 5, 0.9), gc('incremental', 9, 10, 0.3)].join('\n');
    const gauges = hubGauges(parsePrometheus(text), 0);
    expect([gauges.majorGcs, gauges.gcPausesOver100ms]).toEqual([5, 3]);
    expect(gauges.gcSeconds).toBeCloseTo(1.4);
  });

  it('puts each window’s latency beside the hub’s pauses in it, and sorts the slow windows by what they had', () => {
    const at = (minutes: number, over: Partial<ReturnType<typeof hubGauges>>) => ({ ...hubGauges([], minutes * 60_000), ...over });
    const runs = (starts: number[], arrivedAfter: number) => ({
      runs: starts.map((start, i) => ({ start, answered: start + 1, status: 202, deliveryIds: [`d${start}-${i}`] })),
      arrivals: new Map(starts.map((start, i) => [`d${start}-${i}`, { recipient: 'r1', at: start + arrivedAfter }])),
    });
    const fast = runs([0, 10, 20], 30);
    const slow = runs([100, 110], 250);
    const calm = loadWindow({ runs: fast.runs, before: at(0, {}), after: at(1 / 6, { majorGcs: 1, gcSeconds: 0.05, eventLoopLagMaxSeconds: 0.02 }) }, fast.arrivals, 0);
    const stalled = loadWindow(
      { runs: slow.runs, before: at(1 / 6, { majorGcs: 1, gcSeconds: 0.05 }), after: at(2 / 6, { majorGcs: 3, gcSeconds: 0.45, gcPausesOver100ms: 1, eventLoopLagMaxSeconds: 0.3 }) },
      slow.arrivals,
      0,
    );
    expect([calm.messages, calm.p99Ms, calm.majorGcs]).toEqual([3, 30, 1]);
    expect([stalled.p99Ms, stalled.majorGcs, stalled.gcPausesOver100ms, stalled.eventLoopLagMaxMs]).toEqual([250, 2, 1, 300]);
    expect(stalled.gcMs).toBeCloseTo(400);
    expect(slowWindows([calm, stalled])).toEqual({ p99AboveMs: 100, windows: 2, slow: 1, slowWithGcPauseOver100ms: 1, slowWithEventLoopLag: 1, otherWithEventLoopLag: 0 });
  });
});

/** A cell's result with every figure set, as a run of the bench writes it. */
function cellResult(): CellResult {
  const runs = [{ start: 0, answered: 5, status: 202, deliveryIds: ['a'] }];
  const run = outcome(runs, new Map([['a', { recipient: 'r1', at: 20 }]]));
  const usage = { cpuPercent: 150, peakRssMB: 400, meanRssMB: 380 };
  const cpu = { eventLoop: 3, cryptoWorkers: 3, storeThread: 1, libuvPool: 0.5, v8Helpers: 1, other: 0, bench: 0.7, otherProcesses: 0.2 };
  const pauses = { majorGcs: 1, gcMs: 12, gcPausesOver100ms: 0, eventLoopLagMaxMs: 40 };
  return {
    cell: 'curve25519 r1 1KB',
    keyType: 'curve25519',
    recipients: 1,
    payload: '1KB',
    payloadBytes: 1000,
    floorMessagesPerSecond: 400,
    floorAloneMs: { count: 50, p50: 9.6, p95: 12, p99: 14, max: 15 },
    floorCpuMsPerMessage: 4.5,
    cpuMsPerMessage: cpu,
    max: { ...run, hub: usage, benchCpuPercent: 15, inFlight: 32, eventLoop: { runningPercent: 56, waitingPercent: 32, neitherPercent: 12 } },
    triedInFlight: [{ inFlight: 8, messagesPerSecond: 190 }, { inFlight: 32, messagesPerSecond: 226 }],
    ratio: 0.56,
    halfRate: { ...run, ratePerSecond: 113, hub: usage, pauses, cpuMsPerMessage: { ...cpu, eventLoop: 5, storeThread: 2 } },
    rssAboveIdlePerMessageInFlight: 3,
    deliveriesVerified: true,
    otherCpuPercent: 4,
    stealCpuPercent: 0,
  };
}

/** A Markdown table's rows below its header and separator, each read by column name. */
function readTable(table: string): ((column: string) => string)[] {
  const [header, , ...rows] = table.split('\n');
  const names = header!.split('|').map((c) => c.trim());
  return rows.map((row) => (column) => {
    const at = names.indexOf(column);
    if (at < 0) throw new TypeError(`no column "${column}"`);
    return row.split('|')[at]!.trim();
  });
}

describe('the bench report', () => {
  it.each([
    ['results', markdownTable],
    ['CPU', (cells: CellResult[]) => cpuTable(cells, 2)],
  ])('has as many cells in every row of the %s table as in its header', (_, table) => {
    const lines = table([cellResult(), cellResult()]).split('\n');
    const cells = (line: string) => line.split('|').length - 2;
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map(cells)).size).toBe(1);
  });

  it('splits the event loop\'s wall time beside its CPU, and leaves the split out where the kernel gave none', () => {
    const { max, ...rest } = cellResult();
    const { eventLoop: _, ...withoutSchedule } = max;
    const [measured, unmeasured] = readTable(cpuTable([cellResult(), { ...rest, max: withoutSchedule }], 2));
    expect(['event loop on a core %', 'waiting for a core %', 'neither %'].map(measured!)).toEqual(['56', '32', '12']);
    expect(unmeasured!('waiting for a core %')).toBe('–');
  });

  it('adds up the machine\'s CPU per message at the maximum and at half of it, where the half was measured', () => {
    const { halfRate, ...rest } = cellResult();
    const { cpuMsPerMessage: _, ...halfWithoutCpu } = halfRate;
    const [measured, earlier] = readTable(cpuTable([cellResult(), { ...rest, halfRate: halfWithoutCpu }], 2));
    expect(['machine total', 'machine total at half the maximum'].map(measured!)).toEqual(['9.40', '12.40']);
    // 113 messages a second at 12.4 ms each: 1401 ms of CPU a second, 70 % of two cores.
    expect(measured!('machine busy at half the maximum %')).toBe('70');
    expect(['machine total at half the maximum', 'machine busy at half the maximum %'].map(earlier!)).toEqual(['–', '–']);
  });

  it('shows how far the floor moved between before and after the maximum, where it was measured twice', () => {
    const rows = readTable(markdownTable([{ ...cellResult(), floorBeforeAfter: [400, 360] }, cellResult()]));
    expect(rows.map((row) => row('floor drift %'))).toEqual(['-10', '–']);
  });

  it('shows what the OpenPGP work of one message alone took, where it was measured', () => {
    const { floorAloneMs: _, ...unmeasured } = cellResult();
    const rows = readTable(markdownTable([cellResult(), unmeasured]));
    expect(rows.map((row) => row('OpenPGP of one message alone, p50 ms'))).toEqual(['10', '–']);
  });

  it('names how many submissions were in flight for the maximum it kept', () => {
    const [row] = readTable(markdownTable([cellResult()]));
    expect(row!('in flight')).toBe('32');
  });
});
