import type { HubGauges } from './hub-metrics.ts';
import { outcome, type Submitted } from './load.ts';
import type { Arrival } from './receivers.ts';

/**
 * A stretch of load (ten seconds of a soak, or a cell's half-rate phase): its messages' latency beside
 * the hub's memory and pauses over the same time, read from the hub's metrics before and after.
 */
export interface LoadWindow extends Pauses {
  /** When the window ended, in minutes since `start`. */
  minutes: number;
  messages: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  workerHeapUsedMB: number;
  workerHeapTotalMB: number;
}

export interface Batch {
  runs: Submitted[];
  before: HubGauges;
  after: HubGauges;
}

const mb = (bytes: number) => bytes / 2 ** 20;

export interface Pauses {
  majorGcs: number;
  gcMs: number;
  gcPausesOver100ms: number;
  /** The longest event-loop delay between the two scrapes. */
  eventLoopLagMaxMs: number;
}

/** What held the hub's main thread between two scrapes of its metrics, the first of which reset the delay's maximum. */
export function pausesBetween(before: HubGauges, after: HubGauges): Pauses {
  return {
    majorGcs: after.majorGcs - before.majorGcs,
    gcMs: 1000 * (after.gcSeconds - before.gcSeconds),
    gcPausesOver100ms: after.gcPausesOver100ms - before.gcPausesOver100ms,
    eventLoopLagMaxMs: 1000 * after.eventLoopLagMaxSeconds,
  };
}

export function loadWindow(batch: Batch, arrivals: Map<string, Arrival>, start: number): LoadWindow {
  const { before, after } = batch;
  const latency = outcome(batch.runs, arrivals).endToEndMs;
  return {
    minutes: (after.at - start) / 60_000,
    messages: latency.count,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    maxMs: latency.max,
    rssMB: mb(after.rssBytes),
    heapUsedMB: mb(after.heapUsedBytes),
    heapTotalMB: mb(after.heapTotalBytes),
    externalMB: mb(after.externalBytes),
    workerHeapUsedMB: mb(after.workerHeapUsedBytes),
    workerHeapTotalMB: mb(after.workerHeapTotalBytes),
    ...pausesBetween(before, after),
  };
}

/**
 * How many windows had a slow tail, and how many of those also had a long garbage-collection pause or a
 * long event-loop delay: a first sorting of causes, not a proof of one.
 */
export function slowWindows(windows: LoadWindow[], p99AboveMs = 100) {
  const slow = windows.filter((w) => (w.p99Ms ?? 0) > p99AboveMs);
  const count = (ws: LoadWindow[], test: (w: LoadWindow) => boolean) => ws.filter(test).length;
  const lagged = (w: LoadWindow) => w.eventLoopLagMaxMs > p99AboveMs;
  return {
    p99AboveMs,
    windows: windows.length,
    slow: slow.length,
    slowWithGcPauseOver100ms: count(slow, (w) => w.gcPausesOver100ms > 0),
    slowWithEventLoopLag: count(slow, lagged),
    otherWithEventLoopLag: count(windows, (w) => !slow.includes(w) && lagged(w)),
  };
}
