import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CryptoPool } from '../src/envelope/crypto-pool.ts';
import { loadClientTls, MutualTlsClient } from '../src/simulator/client.ts';
import { deliveryChecks, floorPool, hubPlaintexts, measureFloor, prepareMessages, senderPool } from './crypto-side.ts';
import { startHubChild, type HubChild } from './hub-child.ts';
import { scrapeHub } from './hub-metrics.ts';
import { closedLoop, openLoop, outcome, type Submitted } from './load.ts';
import { minutesPayload, KEY_TYPES, type KeyType } from './payload.ts';
import { eventLoopSchedule, machineBusySeconds, machineStealSeconds, ProcessSampler, quiet, sampleProcess, sampleThreads, sqliteMB, THREAD_KINDS, threadCpuSince, type Schedule, type ThreadCpu } from './proc.ts';
import { Receivers } from './receivers.ts';
import { cpuTable, floorDrift, machine, machineLine, markdownTable, type CellResult, type CpuPerMessage, type EventLoopShare } from './report.ts';
import { createSetup, RECIPIENTS, SENDER } from './setup.ts';
import { parseDuration, slope } from './stats.ts';
import { loadWindow, pausesBetween, slowWindows, type Batch } from './windows.ts';

/** Decimal units: the schema of the minutes holds about 1 MB of text at most. */
const SIZES = { '1KB': 1000, '64KB': 64_000, '1MB': 1_000_000 } as const;
type Size = keyof typeof SIZES;
const RECIPIENT_COUNTS = [1, 3, 5];
const DRAIN_MS = 120_000;
const WARM_UP_MS = 3000;
/** At most this much prepared ciphertext is held by the bench at once. */
const PREPARED_BYTES = 1024 ** 3;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    quick: { type: 'boolean', default: false },
    cells: { type: 'string' },
    soak: { type: 'string' },
    workers: { type: 'string' },
    'hub-workers': { type: 'string' },
    concurrency: { type: 'string', default: '8,32' },
    'purge-after-hours': { type: 'string', default: '0' },
    'sqlite-on-event-loop': { type: 'boolean', default: false },
    'latency-rate': { type: 'string' },
    adapter: { type: 'string', default: 'canonical' },
    out: { type: 'string', default: 'bench/results' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [--quick] [--duration 5s] [--cells rsa3072/r5/1MB,curve25519/r1] [--workers N] [--hub-workers N] [--concurrency 8,32] [--purge-after-hours 0] [--sqlite-on-event-loop] [--latency-rate 25] [--adapter vt] [--soak 10m]
  --duration     length of each measured phase (floor, maximum, half rate); default 5s (3s with --quick)
  --quick        curve25519 only, 1 and 3 recipients, 1KB and 64KB
  --cells        only cells whose name ("curve25519 r3 64KB") holds every /-separated part of one comma-separated filter
  --workers      the hub's hub.crypto.workers and the floor's pool size; default one per core (${availableParallelism()}); 0: the hub's main thread
  --hub-workers  the hub's hub.crypto.workers alone: the floor keeps --workers, so that a hub sized otherwise is measured against the same floor
  --concurrency  submissions in flight while finding the maximum throughput, comma-separated: each is tried and the better kept; default 8,32
  --purge-after-hours  the hub's purgeCiphertextAfterHours; default 0, the purge work a hub past its retention does at the rate it receives
  --sqlite-on-event-loop  the hub's SQLite on its event loop (hub.database.thread: false) instead of a thread of its own
  --latency-rate the latency phase (or the soak) at this many msg/s instead of half (40 %) of the maximum: two variants of the hub compared at the same load
  --adapter      every partner's adapter: canonical (default; a delivery holds the payload once) or a vocabulary adapter such as vt (the payload and its mapping)
  --soak 10m     instead of the table: one cell (default curve25519 r3 64KB) at 40% of its maximum, memory over time`);
  process.exit(0);
}

interface Cell {
  name: string;
  keyType: KeyType;
  recipients: number;
  size: Size;
}

function cells(): Cell[] {
  const all = KEY_TYPES.flatMap((keyType) =>
    RECIPIENT_COUNTS.flatMap((recipients) => (Object.keys(SIZES) as Size[]).map((size) => ({ name: `${keyType} r${recipients} ${size}`, keyType, recipients, size }))),
  );
  const quick = args.quick ? all.filter((c) => c.keyType === 'curve25519' && c.recipients < 5 && c.size !== '1MB') : all;
  const filter = args.cells ?? (args.soak ? 'curve25519/r3/64KB' : undefined);
  if (!filter) return quick;
  const filters = filter.split(',').map((f) => f.split('/').filter(Boolean));
  return quick.filter((c) => filters.some((parts) => parts.every((p) => c.name.split(' ').includes(p))));
}

const workers = args.workers === undefined ? availableParallelism() : Number(args.workers);
/** The hub's crypto pool; undefined leaves the hub's own default (one per core). */
const hubWorkers = args['hub-workers'] !== undefined ? Number(args['hub-workers']) : args.workers === undefined ? undefined : workers;
if (hubWorkers !== undefined && !(Number.isInteger(hubWorkers) && hubWorkers >= 0)) throw new TypeError(`--hub-workers takes a whole number: ${args['hub-workers']}`);
/** Whether the hub's pool is sized apart from the floor's, which the results then say. */
const hubSizedApart = hubWorkers !== undefined && hubWorkers !== workers;
/**
 * Messages in flight per worker for the floor, each a phase of its own; the cell keeps the faster. With
 * 2 alone a 1 kB floor was measured at anywhere from 207 to 615 msg/s on one machine, its workers
 * waiting for the next job; one run there gave 425 with 2 per worker and 726 with 8.
 */
const FLOOR_IN_FLIGHT_PER_WORKER = [2, 8];

/** Submissions in flight for the maximum: each level is one phase, and the cell keeps the one that delivered most. */
const inFlightLevels = args.concurrency.split(',').map(Number);
if (inFlightLevels.some((n) => !Number.isInteger(n) || n < 1)) throw new TypeError(`--concurrency takes whole numbers, comma-separated: ${args.concurrency}`);
const purgeAfterHours = Number(args['purge-after-hours']);
if (!(purgeAfterHours >= 0)) throw new TypeError(`--purge-after-hours takes a number of hours: ${args['purge-after-hours']}`);
const latencyRate = args['latency-rate'] === undefined ? undefined : Number(args['latency-rate']);
if (latencyRate !== undefined && !(latencyRate > 0)) throw new TypeError(`--latency-rate takes messages per second: ${args['latency-rate']}`);
const phaseMs = parseDuration(args.duration ?? (args.quick ? '3s' : '5s'));
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const failuresText = (failures: Record<string, number>) => Object.entries(failures).map(([why, n]) => ` (${n}× ${why})`).join('');

/** One hub with keys of one type, its partners' systems, and the pools for preparing messages and for the floor. */
interface Rig {
  hub: HubChild;
  receivers: Receivers;
  client: MutualTlsClient;
  sender: CryptoPool;
  floor: CryptoPool;
  certsDir: string;
  configDir: string;
  /** The hub's SQLite file, whose size (with its WAL) a soak follows. */
  databaseFile: string;
  close(): Promise<void>;
}

async function rig(keyType: KeyType): Promise<Rig> {
  log(`${keyType}: keys, PKI and configuration`);
  const setup = await createSetup(keyType, { cryptoWorkers: hubWorkers, deliveryConcurrency: 16, purgeAfterHours, sqliteThread: !args['sqlite-on-event-loop'], adapter: args.adapter });
  const { receivers, urls } = await Receivers.start(setup.certsDir, RECIPIENTS);
  setup.pushTo(urls);
  const hub = await startHubChild(setup.configDir, setup.root);
  const client = new MutualTlsClient(loadClientTls(setup.certsDir, `partners/${SENDER}`), hub.url);
  // With --workers 0 the hub works on its main thread: one core, so the floor gets one thread.
  const sender = senderPool(setup.certsDir, Math.max(1, workers));
  const floor = floorPool(setup.certsDir, Math.max(1, workers));
  log(`${keyType}: hub ${hub.url} (pid ${hub.pid}), ${hubWorkers ?? availableParallelism()} crypto workers`);
  return {
    hub,
    receivers,
    client,
    sender,
    floor,
    certsDir: setup.certsDir,
    configDir: setup.configDir,
    databaseFile: join(setup.root, 'hub.db'),
    async close() {
      client.close();
      await Promise.all([sender.close(), floor.close(), hub.stop(), receivers.close()]);
      setup.remove();
    },
  };
}

async function drained(r: Rig, runs: Submitted[]): Promise<void> {
  const missing = await r.receivers.waitFor(runs.flatMap((s) => s.deliveryIds), DRAIN_MS);
  if (missing.length > 0) log(`  ${missing.length} deliveries did not arrive within ${DRAIN_MS / 1000} s`);
}

/** CPU seconds over a stretch of wall time, as percent of one core. */
const percentOfOneCore = (seconds: number, elapsedMs: number) => (100 * seconds) / Math.max(0.001, elapsedMs / 1000);

/** CPU per message delivered, in ms: the hub's threads by kind, the bench's own process, and everything else on the machine. */
function perMessage(hub: ThreadCpu, benchSeconds: number, machineSeconds: number, messages: number): CpuPerMessage {
  const hubSeconds = THREAD_KINDS.reduce((sum, k) => sum + hub[k], 0);
  const ms = (seconds: number) => (1000 * seconds) / Math.max(1, messages);
  return { ...(Object.fromEntries(THREAD_KINDS.map((k) => [k, ms(hub[k])])) as ThreadCpu), bench: ms(benchSeconds), otherProcesses: ms(Math.max(0, machineSeconds - hubSeconds - benchSeconds)) };
}

/** The event loop's share of a stretch of wall time on a core, waiting for one, and neither. */
function scheduleSince(before: Schedule | undefined, after: Schedule | undefined, elapsedMs: number): EventLoopShare | undefined {
  if (!before || !after) return undefined;
  const running = percentOfOneCore(after.runningSeconds - before.runningSeconds, elapsedMs);
  const waiting = percentOfOneCore(after.waitingSeconds - before.waitingSeconds, elapsedMs);
  return { runningPercent: running, waitingPercent: waiting, neitherPercent: Math.max(0, 100 - running - waiting) };
}

/** Of the phases tried at several levels in flight, the one that went fastest. */
function fastest<T>(tried: T[], perSecond: (phase: T) => number): T {
  return tried.reduce((best, phase) => (perSecond(phase) > perSecond(best) ? phase : best));
}

/** Where the CPU of a stretch of load went: started before the load, read once it has drained. */
function cpuMeter(r: Rig) {
  const own = { cpu: process.cpuUsage(), at: performance.now(), busy: machineBusySeconds(), steal: machineStealSeconds(), threads: sampleThreads(r.hub.pid), loop: eventLoopSchedule(r.hub.pid) };
  return (messages: number) => {
    const ownCpu = process.cpuUsage(own.cpu);
    const hubThreads = threadCpuSince(r.hub.pid, own.threads);
    const elapsedMs = performance.now() - own.at;
    const eventLoop = scheduleSince(own.loop, eventLoopSchedule(r.hub.pid), elapsedMs);
    const benchSeconds = (ownCpu.user + ownCpu.system) / 1e6;
    // What the machine's own processes used: busy time without the hypervisor's steal, which is reported apart.
    const machineSeconds = machineBusySeconds() - own.busy - (machineStealSeconds() - own.steal);
    return {
      cpuMsPerMessage: perMessage(hubThreads, benchSeconds, machineSeconds, messages),
      benchCpuPercent: percentOfOneCore(benchSeconds, elapsedMs),
      machineCpuPercent: percentOfOneCore(machineSeconds, elapsedMs),
      eventLoop,
    };
  };
}

const cpuText = (perMessage: CpuPerMessage) => Object.entries(perMessage).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');

/** The maximum with `inFlight` submissions back to back: what was delivered, and where its CPU went. */
async function maxPhase(r: Rig, cell: Cell, payload: ReturnType<typeof minutesPayload>, recipients: string[], count: number, inFlight: number, floor: number) {
  const forMax = await prepareMessages(r.sender, payload, recipients, count);
  const sampler = new ProcessSampler(r.hub.pid);
  const meter = cpuMeter(r);
  const maxRuns = await closedLoop(r.client, forMax, inFlight, phaseMs);
  await drained(r, maxRuns);
  const runs = outcome(maxRuns, r.receivers.arrivals);
  const { cpuMsPerMessage, benchCpuPercent, machineCpuPercent, eventLoop: loop } = meter(runs.accepted);
  const max = { ...runs, hub: sampler.stop(), benchCpuPercent, inFlight, ...(loop ? { eventLoop: loop } : {}) };
  if (maxRuns.length === forMax.length) log(`  (all ${forMax.length} prepared messages were used: the maximum may be higher)`);
  log(`${cell.name}: hub ${max.messagesPerSecond.toFixed(1)} msg/s with ${inFlight} in flight (${(max.messagesPerSecond / floor).toFixed(2)} of the floor before it), CPU ${max.hub.cpuPercent.toFixed(0)} %, ${max.failed} failed${failuresText(max.failures)}`);
  log(`  CPU ms per message: ${cpuText(cpuMsPerMessage)}`);
  if (loop) log(`  event loop: on a core ${loop.runningPercent.toFixed(0)} % of the time, waiting for one ${loop.waitingPercent.toFixed(0)} %, neither (blocked or idle) ${loop.neitherPercent.toFixed(0)} %`);
  return { max, cpuMsPerMessage, machineCpuPercent };
}

/**
 * Unmeasured load before the maximum phases, at the first level, so that the level tried first does not
 * also pay for the hub's warming up to this payload (compiled code, heap, connections) and the later
 * level win by that alone.
 */
async function warmUp(r: Rig, payload: ReturnType<typeof minutesPayload>, recipients: string[], count: number): Promise<void> {
  const runs = await closedLoop(r.client, await prepareMessages(r.sender, payload, recipients, count), inFlightLevels[0]!, WARM_UP_MS);
  await drained(r, runs);
  r.receivers.arrivals.clear();
}

/** The floor shares the cores with nothing of the hub's: it waits for the hub's work after a phase to end. */
async function quietHub(r: Rig, cell: Cell): Promise<void> {
  if (!(await quiet(r.hub.pid))) log(`${cell.name}: the hub was still busy after 20 s; the floor is measured beside it`);
}

async function measureCell(r: Rig, cell: Cell): Promise<CellResult> {
  const cellStart = { at: performance.now(), steal: machineStealSeconds() };
  const recipients = RECIPIENTS.slice(0, cell.recipients);
  const payload = minutesPayload(SIZES[cell.size]);
  const payloadBytes = JSON.stringify(payload).length;
  const sample = await prepareMessages(r.sender, payload, recipients, 8);
  const plaintexts = await hubPlaintexts(r.configDir, r.certsDir, payload, recipients);
  const floorTried = [];
  await quietHub(r, cell);
  for (const perWorker of FLOOR_IN_FLIGHT_PER_WORKER) {
    const inFlight = perWorker * Math.max(1, workers);
    floorTried.push({ inFlight, ...(await measureFloor(r.floor, sample, plaintexts, inFlight, phaseMs)) });
  }
  const measured = fastest(floorTried, (f) => f.messagesPerSecond);
  const floor = measured.messagesPerSecond;
  log(`${cell.name}: floor ${floor.toFixed(1)} msg/s with ${measured.inFlight} in flight, ${measured.cpuMsPerMessage.toFixed(2)} ms CPU per message (${floorTried.map((f) => `${f.messagesPerSecond.toFixed(1)} with ${f.inFlight}`).join(', ')})`);
  // One message with the pool to itself: its open, then its seals side by side. No latency of the hub's can be less.
  const alone = (await measureFloor(r.floor, sample, plaintexts, 1, phaseMs)).latencyMs;
  log(`${cell.name}: the OpenPGP work of one message alone takes p50 ${alone.p50?.toFixed(1)} ms, p99 ${alone.p99?.toFixed(1)} ms (${alone.count} messages)`);

  const capacity = Math.max(Math.max(...inFlightLevels), Math.floor(PREPARED_BYTES / sample[0]!.length));
  await warmUp(r, payload, recipients, Math.min(capacity, Math.ceil((floor * WARM_UP_MS) / 1000)));
  const idleRss = sampleProcess(r.hub.pid).rssBytes;
  const tried = [];
  for (const inFlight of inFlightLevels) tried.push(await maxPhase(r, cell, payload, recipients, Math.min(capacity, Math.ceil((floor * 1.3 * phaseMs) / 1000) + inFlight), inFlight, floor));
  const { max, cpuMsPerMessage, machineCpuPercent } = fastest(tried, (t) => t.max.messagesPerSecond);
  // The machine's speed drifts (one cell's floor moved between 99 and 150 msg/s in runs minutes apart):
  // the floor again after the maximum, at the level that won before, and the ratio against the mean.
  await quietHub(r, cell);
  const floorAfter = await measureFloor(r.floor, sample, plaintexts, measured.inFlight, phaseMs);
  const floorMean = (floor + floorAfter.messagesPerSecond) / 2;
  const drift = floorDrift([floor, floorAfter.messagesPerSecond]);
  log(`${cell.name}: floor after the maximum ${floorAfter.messagesPerSecond.toFixed(1)} msg/s (${drift >= 0 ? '+' : ''}${drift.toFixed(0)} %); hub/floor ${(max.messagesPerSecond / floorMean).toFixed(2)} against the mean of before and after`);

  const rate = latencyRate ?? Math.max(0.2, max.messagesPerSecond / 2);
  const forHalf = await prepareMessages(r.sender, payload, recipients, Math.min(capacity, Math.ceil((rate * phaseMs) / 1000)));
  const sampler = new ProcessSampler(r.hub.pid);
  const gaugesBefore = await scrapeHub(r.hub.opsUrl);
  const meter = cpuMeter(r);
  const halfRuns = await openLoop(r.client, forHalf, rate, phaseMs);
  await drained(r, halfRuns);
  const halfOutcome = outcome(halfRuns, r.receivers.arrivals);
  const { cpuMsPerMessage: halfCpu } = meter(halfOutcome.accepted);
  const pauses = pausesBetween(gaugesBefore, await scrapeHub(r.hub.opsUrl));
  const halfRate = { ...halfOutcome, ratePerSecond: rate, hub: sampler.stop(), pauses, cpuMsPerMessage: halfCpu };
  const ms = (x: number | undefined) => `${x?.toFixed(0)} ms`;
  log(`${cell.name}: at ${rate.toFixed(1)} msg/s p50 ${ms(halfRate.endToEndMs.p50)}, p99 ${ms(halfRate.endToEndMs.p99)} of ${halfRate.endToEndMs.count} (until the 202: p50 ${ms(halfRate.acceptMs.p50)}, p99 ${ms(halfRate.acceptMs.p99)}), ${halfRate.failed} failed${failuresText(halfRate.failures)}`);
  log(`  CPU ms per message at this rate: ${cpuText(halfRate.cpuMsPerMessage)}`);
  log(`  event-loop delay at most ${ms(pauses.eventLoopLagMaxMs)}; ${pauses.majorGcs} major GCs, ${pauses.gcPausesOver100ms} GC pauses over 100 ms, ${ms(pauses.gcMs)} of GC in all`);

  const checks = await Promise.all(recipients.map((id) => deliveryChecks(r.certsDir, id, r.receivers.lastBody(id), payload)));
  r.receivers.arrivals.clear();
  return {
    cell: cell.name,
    keyType: cell.keyType,
    recipients: cell.recipients,
    payload: cell.size,
    payloadBytes,
    floorMessagesPerSecond: floorMean,
    floorBeforeAfter: [floor, floorAfter.messagesPerSecond],
    floorCpuMsPerMessage: (measured.cpuMsPerMessage + floorAfter.cpuMsPerMessage) / 2,
    floorTried: floorTried.map((f) => ({ inFlight: f.inFlight, messagesPerSecond: f.messagesPerSecond })),
    floorAloneMs: alone,
    cpuMsPerMessage,
    max,
    ratio: max.messagesPerSecond / floorMean,
    halfRate,
    rssAboveIdlePerMessageInFlight: Math.max(0, max.hub.peakRssMB * 1024 ** 2 - idleRss) / max.inFlight / payloadBytes,
    triedInFlight: tried.map((t) => ({ inFlight: t.max.inFlight, messagesPerSecond: t.max.messagesPerSecond })),
    deliveriesVerified: checks.every(Boolean),
    otherCpuPercent: Math.max(0, machineCpuPercent - max.hub.cpuPercent - max.benchCpuPercent),
    stealCpuPercent: percentOfOneCore(machineStealSeconds() - cellStart.steal, performance.now() - cellStart.at),
  };
}

/** One cell at 40% of its maximum for a long time, in 10 s windows, with the hub's memory and pauses after each. */
async function soak(r: Rig, cell: Cell, durationMs: number) {
  const recipients = RECIPIENTS.slice(0, cell.recipients);
  const payload = minutesPayload(SIZES[cell.size]);
  const probe = await prepareMessages(r.sender, payload, recipients, 200);
  // The probe keeps the first level (8 by default), as the soaks in the README did.
  const probeRuns = await closedLoop(r.client, probe, inFlightLevels[0]!, Math.min(phaseMs, 5000));
  await drained(r, probeRuns);
  const rate = latencyRate ?? outcome(probeRuns, r.receivers.arrivals).messagesPerSecond * 0.4;
  log(`soak: ${cell.name} at ${rate.toFixed(1)} msg/s for ${durationMs / 60_000} min`);
  const start = performance.now();
  const stealAtStart = machineStealSeconds();
  const sampler = new ProcessSampler(r.hub.pid, 10_000);
  const batches: Batch[] = [];
  const databaseMB: number[] = [];
  // The next 10 s of messages are sealed while these are sent: spread over 8 s, one at a time, so that the
  // bench's own OpenPGP work is a steady few per cent of a core and not a burst on both cores every 10 s.
  const batch = () => prepareMessages(r.sender, payload, recipients, Math.ceil(rate * 10), 8_000);
  let next = batch();
  let before = await scrapeHub(r.hub.opsUrl);
  while (performance.now() - start < durationMs) {
    const messages = await next;
    next = batch();
    const runs = await openLoop(r.client, messages, rate, 10_000);
    const after = await scrapeHub(r.hub.opsUrl);
    batches.push({ runs, before, after });
    before = after;
    const w = loadWindow(batches.at(-1)!, r.receivers.arrivals, start);
    databaseMB.push(sqliteMB(r.databaseFile));
    log(`  ${w.minutes.toFixed(1)} min: RSS ${w.rssMB.toFixed(0)} MB; heaps: main ${w.heapUsedMB.toFixed(0)}/${w.heapTotalMB.toFixed(0)}, workers ${w.workerHeapUsedMB.toFixed(0)}/${w.workerHeapTotalMB.toFixed(0)} MB; external ${w.externalMB.toFixed(0)} MB; ${w.majorGcs} major GCs; event-loop lag max ${w.eventLoopLagMaxMs.toFixed(0)} ms; database ${databaseMB.at(-1)!.toFixed(0)} MB`);
  }
  await next;
  const runs = batches.flatMap((b) => b.runs);
  await drained(r, runs);
  const usage = sampler.stop();
  const windows = batches.map((b, i) => ({ ...loadWindow(b, r.receivers.arrivals, start), databaseMB: databaseMB[i] }));
  const series = sampler.samples.map((s) => ({ minutes: (s.at - start) / 60_000, rssMB: s.rssBytes / 2 ** 20 }));
  const mean = (xs: { rssMB: number }[]) => xs.reduce((s, x) => s + x.rssMB, 0) / Math.max(1, xs.length);
  const total = series.at(-1)?.minutes ?? 0;
  return {
    cell: cell.name,
    ratePerSecond: rate,
    outcome: outcome(runs, r.receivers.arrivals),
    repeatedOnNewConnection: r.client.repeatedOnNewConnection,
    hub: usage,
    rss: series,
    windows,
    slowWindows: slowWindows(windows),
    firstMinuteMB: mean(series.filter((s) => s.minutes <= 1)),
    lastMinuteMB: mean(series.filter((s) => s.minutes >= total - 1)),
    stealCpuPercent: percentOfOneCore(machineStealSeconds() - stealAtStart, performance.now() - start),
    secondHalfSlopeMBPerMinute: slope(series.filter((s) => s.minutes >= total / 2).map((s) => ({ x: s.minutes, y: s.rssMB }))),
  };
}

async function main(): Promise<void> {
  const selected = cells();
  if (selected.length === 0) throw new Error('no cell matches --cells');
  const startedAt = new Date().toISOString();
  const host = machine();
  const outDir = resolve(args.out);
  mkdirSync(outDir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  log(machineLine(host, startedAt));

  if (args.soak) {
    const cell = selected[0]!;
    const r = await rig(cell.keyType);
    try {
      const result = await soak(r, cell, parseDuration(args.soak));
      const file = join(outDir, `${stamp}-soak.json`);
      writeFileSync(file, JSON.stringify({ startedAt, machine: host, workers, purgeCiphertextAfterHours: purgeAfterHours, result }, null, 2));
      const sw = result.slowWindows;
      log(`soak: end to end p50 ${result.outcome.endToEndMs.p50?.toFixed(0)} ms, p99 ${result.outcome.endToEndMs.p99?.toFixed(0)} ms; ${sw.slow} of ${sw.windows} windows had a p99 over ${sw.p99AboveMs} ms, ${sw.slowWithGcPauseOver100ms} of them with a GC pause over 100 ms and ${sw.slowWithEventLoopLag} with an event-loop delay over ${sw.p99AboveMs} ms (${sw.otherWithEventLoopLag} other windows had such a delay)`);
      log(`soak: RSS first minute ${result.firstMinuteMB.toFixed(0)} MB, last minute ${result.lastMinuteMB.toFixed(0)} MB, second half ${result.secondHalfSlopeMBPerMinute.toFixed(2)} MB/min; steal ${result.stealCpuPercent.toFixed(0)} % of a core; ${result.outcome.failed} failed${failuresText(result.outcome.failures)}, ${result.repeatedOnNewConnection} sent again on a new connection; ${file}`);
    } finally {
      await r.close();
    }
    return;
  }

  const results: CellResult[] = [];
  for (const keyType of KEY_TYPES) {
    const mine = selected.filter((c) => c.keyType === keyType);
    if (mine.length === 0) continue;
    const r = await rig(keyType);
    try {
      for (const cell of mine) results.push(await measureCell(r, cell));
    } finally {
      await r.close();
    }
  }
  const table = `${markdownTable(results)}\n\nCPU per delivered message at the maximum, in ms, by where it ran (the hub's threads by kind; the bench; other processes, mostly Redis), its sum at half the maximum and the share of the machine that took, and the event loop's wall time (on a core, waiting in the run queue for one, neither: blocked or idle):\n\n${cpuTable(results, host.cores)}`;
  const options = { durationMs: phaseMs, workers, ...(hubSizedApart ? { hubWorkers } : {}), concurrency: inFlightLevels, warmUpMs: WARM_UP_MS, purgeCiphertextAfterHours: purgeAfterHours, sqliteThread: !args['sqlite-on-event-loop'], ...(latencyRate === undefined ? {} : { latencyRate }), quick: args.quick, adapter: args.adapter };
  writeFileSync(join(outDir, `${stamp}.json`), JSON.stringify({ startedAt, machine: { ...host, atEnd: machine() }, options, cells: results }, null, 2));
  const markdown = `${machineLine(host, startedAt)}; ${hubSizedApart ? `${hubWorkers} crypto workers in the hub, ${workers} for the floor` : `${workers} crypto workers`}, ${phaseMs / 1000} s per phase, ${inFlightLevels.join(' or ')} submissions in flight at the maximum${inFlightLevels.length > 1 ? ', whichever delivered more' : ''}, after ${WARM_UP_MS / 1000} s unmeasured${args['sqlite-on-event-loop'] ? '; SQLite on the event loop' : ''}${latencyRate === undefined ? '' : `; latency at ${latencyRate} msg/s, not half the maximum`}${args.adapter === 'canonical' ? '' : `; every partner on adapter ${args.adapter}`}\n\n${table}\n`;
  writeFileSync(join(outDir, 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  if (results.some((c) => !c.deliveriesVerified)) {
    log('some deliveries did not decrypt, verify or carry the whole payload');
    process.exitCode = 1;
  }
}

await main();
