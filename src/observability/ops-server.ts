import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemBody, Problems } from '../errors/problem.ts';
import type { HubMetrics } from './metrics.ts';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadinessCheck): Promise<{ name: string; ok: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)));
  const ok = await Promise.race([check.check().catch(() => false), timeout]);
  clearTimeout(timer);
  return { name: check.name, ok };
}

/**
 * Plain HTTP for the operator's tooling, on loopback by default (API.md): `/metrics` for Prometheus,
 * `/healthz` (the process answers) and `/readyz` (Redis and the database answer, and every readiness check given, such as no expired CRL).
 */
export async function startOpsServer(listen: { host: string; port: number }, metrics: HubMetrics, checks: ReadinessCheck[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/problem+json', allow: 'GET' }).end(JSON.stringify(problemBody(Problems.malformedRequest, 'Only GET is served here')));
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    } else if (path === '/readyz') {
      void Promise.all(checks.map(run)).then((results) => {
        const ready = results.every((r) => r.ok);
        const body = { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failing'])) };
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    } else {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problemBody(Problems.notFound, `No resource at ${path}`)));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
