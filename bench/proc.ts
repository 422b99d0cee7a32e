import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { STORE_THREAD_NAME } from '../src/store/thread/threaded-store.ts';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  at: number;
  /** CPU seconds (user + system) the process used since it started. */
  cpuSeconds: number;
  rssBytes: number;
}

/** utime + stime of a /proc stat file, in seconds. */
function cpuSecondsOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function sampleProcess(pid: number, at = performance.now()): ProcessSample {
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { at, cpuSeconds: cpuSecondsOf(`/proc/${pid}/stat`), rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

/**
 * The kinds of thread a Node process runs, by the name Node gives each: the event loop; the crypto
 * pool's worker threads; libuv's thread pool, where WebCrypto (which OpenPGP.js uses) runs RSA, X25519
 * and hashing jobs, and fs calls run; V8's helpers (mostly concurrent garbage collection); the store's
 * thread, when the embedded database runs on one.
 */
export const THREAD_KINDS = ['eventLoop', 'cryptoWorkers', 'storeThread', 'libuvPool', 'v8Helpers', 'other'] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];
export type ThreadCpu = Record<ThreadKind, number>;

const KIND_BY_NAME: Record<string, ThreadKind> = { MainThread: 'eventLoop', node: 'eventLoop', WorkerThread: 'cryptoWorkers', [STORE_THREAD_NAME]: 'storeThread', 'libuv-worker': 'libuvPool', V8Worker: 'v8Helpers' };

/** CPU seconds per kind of thread since each started. A thread that has ended no longer counts. */
export function sampleThreads(pid: number): ThreadCpu {
  const cpu = Object.fromEntries(THREAD_KINDS.map((k) => [k, 0])) as ThreadCpu;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      cpu[KIND_BY_NAME[name] ?? 'other'] += cpuSecondsOf(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return cpu;
}

export function threadCpuSince(pid: number, before: ThreadCpu): ThreadCpu {
  const now = sampleThreads(pid);
  return Object.fromEntries(THREAD_KINDS.map((k) => [k, Math.max(0, now[k] - before[k])])) as ThreadCpu;
}

/** Seconds a thread has been on a core and waiting in the run queue for one, since it started. */
export interface Schedule {
  runningSeconds: number;
  waitingSeconds: number;
}

/**
 * The event loop's schedule (the main thread's /proc schedstat, in ns). Together they say what bounds
 * it: a loop that waits for a core shares the cores with too much else; one that neither runs nor waits
 * is blocked (in fsync, say) or idle. Undefined where the kernel keeps no schedstat.
 */
export function eventLoopSchedule(pid: number): Schedule | undefined {
  const file = `/proc/${pid}/task/${pid}/schedstat`;
  if (!existsSync(file)) return undefined;
  const stat = readFileSync(file, 'utf8').trim().split(' ').map(Number);
  if (stat.length < 2 || stat.some((x) => !Number.isFinite(x))) return undefined;
  return { runningSeconds: stat[0]! / 1e9, waitingSeconds: stat[1]! / 1e9 };
}

/**
 * Waits until a process is idle: under `belowPercent` of a core over half a second, for at most
 * `timeoutMs`. After a phase the hub still purges what was delivered and hashes its log's new leaves;
 * a floor measured meanwhile shares the cores with that. Returns whether it went quiet.
 */
export async function quiet(pid: number, belowPercent = 5, timeoutMs = 20_000): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  let last = sampleProcess(pid);
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = sampleProcess(pid);
    if ((100 * (now.cpuSeconds - last.cpuSeconds)) / ((now.at - last.at) / 1000) < belowPercent) return true;
    last = now;
  }
  return false;
}

export interface Usage {
  /** Average CPU over the window, in percent of one core (200 = both cores of two). */
  cpuPercent: number;
  peakRssMB: number;
  meanRssMB: number;
}

/** Samples a process every `everyMs` until stopped, for its CPU and memory over a window. */
export class ProcessSampler {
  readonly samples: ProcessSample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, everyMs = 250) {
    const take = () => {
      try {
        this.samples.push(sampleProcess(pid));
      } catch {
        // the process has exited; the window ends with the last sample
      }
    };
    take();
    this.timer = setInterval(take, everyMs);
  }

  stop(): Usage {
    clearInterval(this.timer);
    const first = this.samples[0];
    const last = this.samples.at(-1);
    const mb = (b: number) => b / 1024 / 1024;
    if (!first || !last || last.at === first.at) return { cpuPercent: 0, peakRssMB: 0, meanRssMB: 0 };
    return {
      cpuPercent: (100 * (last.cpuSeconds - first.cpuSeconds)) / ((last.at - first.at) / 1000),
      peakRssMB: mb(Math.max(...this.samples.map((s) => s.rssBytes))),
      meanRssMB: mb(this.samples.reduce((s, x) => s + x.rssBytes, 0) / this.samples.length),
    };
  }
}

const cpuTicks = () => (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);

/** CPU seconds all cores have been busy since boot (/proc/stat: everything but idle and iowait, so steal too). */
export function machineBusySeconds(): number {
  const values = cpuTicks();
  const total = values.reduce((a, b) => a + b, 0);
  return (total - (values[3] ?? 0) - (values[4] ?? 0)) / TICKS_PER_SECOND;
}

/** CPU seconds the hypervisor gave to other guests while this machine's cores wanted to run (/proc/stat: steal). */
export function machineStealSeconds(): number {
  return (cpuTicks()[7] ?? 0) / TICKS_PER_SECOND;
}

const fileSize = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

/** An SQLite database's size on disk in MB: its file and its write-ahead log. */
export const sqliteMB = (path: string): number => (fileSize(path) + fileSize(`${path}-wal`)) / 2 ** 20;
