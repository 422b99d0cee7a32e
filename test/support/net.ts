import { createServer } from 'node:net';

/**
 * Ports handed out below Linux's ephemeral range (32768 and up by default), where the kernel never
 * picks the local port of an outgoing connection: a port taken from that range, released and bound
 * again later, was once taken meanwhile by one of the many connections the tests open (EADDRINUSE).
 * Each Vitest worker has a thousand of its own, so that parallel test files do not pick the same.
 */
const FIRST_PORT = 20_000;
const PORTS_PER_WORKER = 1000;
const WORKERS = 12;
const worker = Number(process.env.VITEST_POOL_ID ?? 0) % WORKERS;
let next = 0;

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A TCP port that was free a moment ago, for servers that must be told their port in advance. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORTS_PER_WORKER; tries++) {
    const port = FIRST_PORT + worker * PORTS_PER_WORKER + (next++ % PORTS_PER_WORKER);
    if (await bindable(port)) return port;
  }
  throw new RangeError(`no free port among the ${PORTS_PER_WORKER} of test worker ${worker}`);
}
