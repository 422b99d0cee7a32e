/**
 * The hub's own figures for memory and pauses, read from its `/metrics` between the soak's windows, so
 * that a window with a slow tail can be matched with what the hub's process was doing: growing a heap,
 * collecting garbage, or holding its event loop.
 */
export interface HubGauges {
  at: number;
  rssBytes: number;
  /** The main thread's V8 heap. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory V8 does not manage, array buffers included: payloads and ciphertext in Buffers. */
  externalBytes: number;
  /** The crypto worker threads' heaps together. */
  workerHeapUsedBytes: number;
  workerHeapTotalBytes: number;
  /** Since the hub started. */
  majorGcs: number;
  gcSeconds: number;
  /** Collections of any kind whose pause was 100 ms or more, since the hub started. */
  gcPausesOver100ms: number;
  /** The longest event-loop delay since the previous scrape, which resets it. */
  eventLoopLagMaxSeconds: number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of Prometheus' text format; comment lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `where`; 0 when there are none. */
function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

export function hubGauges(samples: Sample[], at: number): HubGauges {
  const gc = 'aoh_nodejs_gc_duration_seconds';
  return {
    at,
    rssBytes: total(samples, 'aoh_process_resident_memory_bytes'),
    heapUsedBytes: total(samples, 'aoh_nodejs_heap_size_used_bytes'),
    heapTotalBytes: total(samples, 'aoh_nodejs_heap_size_total_bytes'),
    externalBytes: total(samples, 'aoh_nodejs_external_memory_bytes'),
    // Every worker thread's heap: the crypto pool's and the store's.
    workerHeapUsedBytes: total(samples, 'aoh_crypto_worker_heap_bytes', { space: 'used' }) + total(samples, 'aoh_store_thread_heap_bytes', { space: 'used' }),
    workerHeapTotalBytes: total(samples, 'aoh_crypto_worker_heap_bytes', { space: 'total' }) + total(samples, 'aoh_store_thread_heap_bytes', { space: 'total' }),
    majorGcs: total(samples, `${gc}_count`, { kind: 'major' }),
    gcSeconds: total(samples, `${gc}_sum`),
    gcPausesOver100ms: total(samples, `${gc}_count`) - total(samples, `${gc}_bucket`, { le: '0.1' }),
    eventLoopLagMaxSeconds: total(samples, 'aoh_nodejs_eventloop_lag_max_seconds'),
  };
}

export async function scrapeHub(opsUrl: string): Promise<HubGauges> {
  const res = await fetch(`${opsUrl}/metrics`);
  return hubGauges(parsePrometheus(await res.text()), performance.now());
}
