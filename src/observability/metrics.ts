import type { WorkerHeap } from '../envelope/crypto-pool.ts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ThreadHeap } from './thread-heap.ts';

export interface QueueDepth {
  partner: string;
  waiting: number;
  delayed: number;
  active: number;
}

/** Sources read at scrape time, so that gauges show the truth rather than a running tally. */
export interface MetricSources {
  queueDepths(): Promise<QueueDepth[]>;
  deadDeliveries(): Promise<Map<string, number>>;
  /** The CRLs the partner port has loaded, for alerting before one passes its nextUpdate. */
  crls?(): { issuer: string; nextUpdate: string | null }[];
  /** The crypto worker threads' V8 heaps, which `aoh_nodejs_heap_*` (the main thread's) leaves out. */
  cryptoWorkerHeaps?(): Promise<WorkerHeap[]>;
  /** The V8 heap of the thread SQLite runs on, left out of `aoh_nodejs_heap_*` too. */
  storeThreadHeap?(): Promise<ThreadHeap>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** The hub's Prometheus metrics. Labels are partner ids, event names and problem types: never content. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly submissions: Counter<'outcome' | 'problem'>;
  readonly deliveryEvents: Counter<'partner' | 'event'>;
  readonly deliveryLatency: Histogram<'partner' | 'transport'>;
  readonly acknowledgeLatency: Histogram<'partner'>;
  readonly tlsRefused: Counter<'reason'>;
  readonly rateLimited: Counter<'caller' | 'endpoint'>;

  constructor(sources?: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'aoh_' });
    this.submissions = new Counter({ name: 'aoh_submissions_total', help: 'Submissions by outcome (accepted, repeated, refused) and problem type', labelNames: ['outcome', 'problem'], registers });
    this.deliveryEvents = new Counter({ name: 'aoh_delivery_events_total', help: 'Delivery state changes by recipient and state', labelNames: ['partner', 'event'], registers });
    this.deliveryLatency = new Histogram({
      name: 'aoh_delivery_latency_seconds',
      help: 'From the 202 to the delivery reaching its transport (pushed, written, or in the pull inbox)',
      labelNames: ['partner', 'transport'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.acknowledgeLatency = new Histogram({ name: 'aoh_acknowledge_latency_seconds', help: 'From the 202 to the recipient’s acknowledgement of a pulled delivery', labelNames: ['partner'], buckets: LATENCY_BUCKETS, registers });
    this.tlsRefused = new Counter({ name: 'aoh_tls_handshakes_refused_total', help: 'Client connections refused at the TLS handshake, by OpenSSL reason (CERT_REVOKED, CERT_HAS_EXPIRED, …)', labelNames: ['reason'], registers });
    this.rateLimited = new Counter({ name: 'aoh_rate_limited_total', help: 'Requests refused with 429, by caller and endpoint class', labelNames: ['caller', 'endpoint'], registers });
    if (!sources) return;
    const crls = sources.crls;
    if (crls) {
      new Gauge({
        name: 'aoh_tls_crl_next_update_timestamp_seconds',
        help: 'When each loaded CRL must be replaced (Unix time); after it every certificate of the issuer is refused',
        labelNames: ['issuer'],
        registers,
        collect() {
          this.reset();
          for (const crl of crls()) if (crl.nextUpdate) this.set({ issuer: crl.issuer.replaceAll('\n', ', ') }, Date.parse(crl.nextUpdate) / 1000);
        },
      });
    }
    const heaps = sources.cryptoWorkerHeaps;
    if (heaps) {
      new Gauge({
        name: 'aoh_crypto_worker_heap_bytes',
        help: 'Each crypto worker thread’s V8 heap, used and total (the resident memory includes them)',
        labelNames: ['worker', 'space'],
        registers,
        async collect() {
          this.reset();
          for (const h of await heaps().catch(() => [])) {
            this.set({ worker: String(h.worker), space: 'used' }, h.usedBytes);
            this.set({ worker: String(h.worker), space: 'total' }, h.totalBytes);
          }
        },
      });
    }
    const storeHeap = sources.storeThreadHeap;
    if (storeHeap) {
      new Gauge({
        name: 'aoh_store_thread_heap_bytes',
        help: 'The V8 heap of the thread the database runs on, used and total (the resident memory includes it)',
        labelNames: ['space'],
        registers,
        async collect() {
          this.reset();
          const h = await storeHeap().catch(() => undefined);
          if (!h) return;
          this.set({ space: 'used' }, h.usedBytes);
          this.set({ space: 'total' }, h.totalBytes);
        },
      });
    }
    new Gauge({
      name: 'aoh_queue_jobs',
      help: 'Jobs in each partner’s delivery queue by state',
      labelNames: ['partner', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const q of await sources.queueDepths().catch(() => [])) {
          for (const state of ['waiting', 'delayed', 'active'] as const) this.set({ partner: q.partner, state }, q[state]);
        }
      },
    });
    new Gauge({
      name: 'aoh_dead_deliveries',
      help: 'Deliveries that gave up and wait for an administrator’s retry',
      labelNames: ['partner'],
      registers,
      async collect() {
        this.reset();
        for (const [partner, n] of await sources.deadDeliveries()) this.set({ partner }, n);
      },
    });
  }

  /** Seconds since an ISO time, for the latency histograms. */
  static since(iso: string, now = Date.now()): number {
    return Math.max(0, (now - Date.parse(iso)) / 1000);
  }
}
