import { cpus, loadavg, release, totalmem } from 'node:os';
import type { RunOutcome } from './load.ts';
import { THREAD_KINDS, type ThreadCpu, type Usage } from './proc.ts';
import type { LatencySummary } from './stats.ts';
import type { Pauses } from './windows.ts';

export type CpuPerMessage = ThreadCpu & { bench: number; otherProcesses: number };

/** The event loop's wall time during a phase, in percent: on a core, in the run queue waiting for one, and neither (blocked or idle). */
export interface EventLoopShare {
  runningPercent: number;
  waitingPercent: number;
  neitherPercent: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  kernel: string;
  node: string;
  /** The 1-, 5- and 15-minute load averages when the run started: anything above 0 is someone else's work. */
  loadAverage: number[];
}

export function machine(): Machine {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) };
}

export interface CellResult {
  cell: string;
  keyType: string;
  recipients: number;
  payload: string;
  payloadBytes: number;
  /** The floor the ratio is taken against: the mean of `floorBeforeAfter` (results before it had the one before). */
  floorMessagesPerSecond: number;
  /** The floor measured before the maximum (the faster of its levels) and again after it (at the level that won). */
  floorBeforeAfter?: [number, number];
  /** Each floor phase, by messages in flight; the cell keeps the fastest. */
  floorTried?: { inFlight: number; messagesPerSecond: number }[];
  /**
   * The floor's work for one message at a time, from its open to its last seal, in ms: the least latency
   * the hub can have in this cell on this machine (results before it lack it).
   */
  floorAloneMs?: LatencySummary;
  /** CPU the floor's OpenPGP work took per message (all threads of its process), in ms. */
  floorCpuMsPerMessage: number;
  /** CPU per delivered message during the maximum run, in ms, by where it ran. */
  cpuMsPerMessage: CpuPerMessage;
  /**
   * The maximum phase that delivered most. `benchCpuPercent`: what the load clients and receivers (this
   * process) took of the same cores meanwhile; `inFlight` since the bench can try several (results before it used 8).
   */
  max: RunOutcome & { hub: Usage; benchCpuPercent: number; inFlight?: number; eventLoop?: EventLoopShare };
  /** Each maximum phase tried, by submissions in flight. */
  triedInFlight?: { inFlight: number; messagesPerSecond: number }[];
  /** The ratio of the hub's delivered messages per second to the floor's. */
  ratio: number;
  /**
   * `pauses` since the bench reads the hub's metrics, `cpuMsPerMessage` (as for the maximum) since
   * 2026-12-01T20:00 (results before them lack them).
   */
  halfRate: RunOutcome & { ratePerSecond: number; hub: Usage; pauses?: Pauses; cpuMsPerMessage?: CpuPerMessage };
  /**
   * Peak resident memory above the idle hub per message in flight, in multiples of the payload: an upper
   * bound of the copies a message costs (it includes garbage not yet collected); meaningful at 1 MB only.
   */
  rssAboveIdlePerMessageInFlight: number;
  deliveriesVerified: boolean;
  /** CPU that processes other than the hub and the bench used during the maximum run (percent of one core): someone else's load. */
  otherCpuPercent: number;
  /**
   * CPU the hypervisor took for other guests during the whole cell (floor, maximum and half rate;
   * percent of one core): on a shared host, a cell with much of it measured a slower machine.
   */
  stealCpuPercent?: number;
}

/** A Markdown table's header and alignment rows: the first column left, the rest right, one each. */
function headerRows(columns: string[]): string[] {
  return [`| ${columns.join(' | ')} |`, `| --- |${' ---: |'.repeat(columns.length - 1)}`];
}

const n = (x: number | undefined, digits = 0) => (x === undefined ? '–' : x.toFixed(digits));

/** How far the floor measured after the maximum was from the one before, in percent. */
export const floorDrift = ([before, after]: [number, number]): number => (100 * (after - before)) / before;

export function markdownTable(cells: CellResult[]): string {
  const head = headerRows(['key', 'recipients', 'payload', 'floor msg/s', 'floor drift %', 'hub msg/s', 'hub/floor', 'submissions/s', 'deliveries/s', 'hub CPU %', 'bench CPU %', 'hub RSS MB', 'rate at half', 'OpenPGP of one message alone, p50 ms', 'p50 ms', 'p95 ms', 'p99 ms', 'event-loop delay max ms', 'failed', 'other CPU %', 'steal %', 'in flight']);
  const rows = cells.map((c) =>
    [
      c.keyType,
      c.recipients,
      c.payload,
      n(c.floorMessagesPerSecond, 1),
      n(c.floorBeforeAfter && floorDrift(c.floorBeforeAfter)),
      n(c.max.messagesPerSecond, 1),
      n(c.ratio, 2),
      n(c.max.submissionsPerSecond, 1),
      n(c.max.deliveriesPerSecond, 1),
      n(c.max.hub.cpuPercent),
      n(c.max.benchCpuPercent),
      n(c.max.hub.peakRssMB),
      n(c.halfRate.ratePerSecond, 1),
      n(c.floorAloneMs?.p50),
      n(c.halfRate.endToEndMs.p50),
      n(c.halfRate.endToEndMs.p95),
      n(c.halfRate.endToEndMs.p99),
      n(c.halfRate.pauses?.eventLoopLagMaxMs),
      c.max.failed + c.max.undelivered + c.halfRate.failed + c.halfRate.undelivered,
      n(c.otherCpuPercent),
      n(c.stealCpuPercent),
      c.max.inFlight ?? 8,
    ].join(' | '),
  );
  return [...head, ...rows.map((r) => `| ${r} |`)].join('\n');
}

const machineTotal = (m: CpuPerMessage) => [...THREAD_KINDS.map((k) => m[k]), m.bench, m.otherProcesses].reduce((a, b) => a + b, 0);

/**
 * Where the CPU of one message goes, beside what its OpenPGP work alone costs: the table says what bounds
 * the ratio. `cores`: the machine's, so that the latency phase's CPU can be told as a share of all of them.
 */
export function cpuTable(cells: CellResult[], cores: number): string {
  const head = headerRows(['key', 'recipients', 'payload', 'floor (OpenPGP alone)', 'hub event loop', 'hub crypto workers', 'hub store thread', 'hub libuv pool', 'hub V8 helpers', 'hub other threads', 'bench', 'other processes', 'machine total', 'machine total at half the maximum', 'machine busy at half the maximum %', 'event loop on a core %', 'waiting for a core %', 'neither %']);
  const rows = cells.map((c) => {
    const m = c.cpuMsPerMessage;
    const half = c.halfRate.cpuMsPerMessage && machineTotal(c.halfRate.cpuMsPerMessage);
    const loop = c.max.eventLoop;
    return [c.keyType, c.recipients, c.payload, n(c.floorCpuMsPerMessage, 2), ...THREAD_KINDS.map((k) => n(m[k], 2)), n(m.bench, 2), n(m.otherProcesses, 2), n(machineTotal(m), 2), n(half, 2), n(half && (c.halfRate.ratePerSecond * half) / (10 * cores)), n(loop?.runningPercent), n(loop?.waitingPercent), n(loop?.neitherPercent)].join(' | ');
  });
  return [...head, ...rows.map((r) => `| ${r} |`)].join('\n');
}

export function machineLine(m: Machine, startedAt: string): string {
  return `${startedAt}: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Linux ${m.kernel}, Node ${m.node}; load average at start ${m.loadAverage.join(' / ')}`;
}
