import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

export interface Arrival {
  recipient: string;
  at: number;
}

/**
 * The recipients' systems: one HTTPS server each that accepts pushes only from the hub's client
 * certificate, and notes when each delivery arrived (its Idempotency-Key is the delivery id). They do
 * not decrypt in the measured path; the bench checks one delivery per recipient and cell afterwards.
 */
export class Receivers {
  readonly arrivals = new Map<string, Arrival>();
  /**
   * The latest body each recipient received, as its chunks: joined and decoded only when checked, since
   * doing that for every delivery cost the bench a quarter of its event loop at 64 kB.
   */
  private readonly lastChunks = new Map<string, Buffer[]>();
  private readonly servers: Server[] = [];
  private waiters: (() => void)[] = [];

  static async start(certsDir: string, recipients: string[]): Promise<{ receivers: Receivers; urls: Map<string, string> }> {
    const receivers = new Receivers();
    const urls = new Map<string, string>();
    for (const id of recipients) urls.set(id, await receivers.listen(certsDir, id));
    return { receivers, urls };
  }

  private async listen(certsDir: string, id: string): Promise<string> {
    const read = (p: string) => readFileSync(join(certsDir, p), 'utf8');
    const server = createServer(
      { ca: read('ca.crt'), cert: read(`partners/${id}/server.crt`), key: read(`partners/${id}/server.key`), requestCert: true, rejectUnauthorized: true, keepAliveTimeout: 60_000 },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerX509Certificate();
        if (!peer?.subject.split('\n').includes('CN=hub')) {
          res.writeHead(403).end();
          return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const deliveryId = String(req.headers['idempotency-key']);
          if (!this.arrivals.has(deliveryId)) this.arrivals.set(deliveryId, { recipient: id, at: performance.now() });
          this.lastChunks.set(id, chunks);
          res.writeHead(201).end();
          this.notify();
        });
      },
    );
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `https://localhost:${(server.address() as AddressInfo).port}/deliveries`;
  }

  /** The latest body a recipient received, as text ('' if none). */
  lastBody(id: string): string {
    return Buffer.concat(this.lastChunks.get(id) ?? []).toString('utf8');
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once every delivery id has arrived, or after `timeoutMs` with those still missing. */
  async waitFor(deliveryIds: string[], timeoutMs: number): Promise<string[]> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const missing = deliveryIds.filter((id) => !this.arrivals.has(id));
      const left = deadline - performance.now();
      if (missing.length === 0 || left <= 0) return missing;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const server of this.servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
