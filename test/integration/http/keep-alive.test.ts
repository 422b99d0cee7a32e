import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Partner } from '../../../src/config/types.ts';
import { pushTransport } from '../../../src/delivery/transports/push.ts';
import { IDLE_CONNECTION_MS } from '../../../src/http/keep-alive.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import type { DeliveryRecord } from '../../../src/store/types.ts';
import { CERTS, eventually } from '../../support/hub.ts';

const read = (file: string) => readFileSync(join(CERTS, file), 'utf8');

interface ServerSeen {
  connections: number;
  closed: number;
  /** Idle connections the server had to time out itself. */
  timedOut: number;
  /** The `Idempotency-Key` (or path) of every request read, in order. */
  requests: string[];
}

interface Behaviour {
  /** Read a connection's second request and close the connection unanswered: what a client meets when the server closes an idle connection just as a request is written to it. */
  dropSecond?: boolean;
  /** Answer a connection's second request only after this long. */
  answerSecondAfterMs?: number;
  /** The keep-alive timeout the server keeps and announces; 2 s unless given. */
  keepAliveMs?: number;
}

/** A partner's HTTPS server over mutual TLS that announces its keep-alive timeout, and behaves as told. */
async function startServer({ dropSecond = false, answerSecondAfterMs = 0, keepAliveMs = 2_000 }: Behaviour): Promise<{ url: string; seen: ServerSeen; server: Server }> {
  const seen: ServerSeen = { connections: 0, closed: 0, timedOut: 0, requests: [] };
  const perConnection = new WeakMap<TLSSocket, number>();
  const server = createServer({ ca: read('ca.crt'), cert: read('partners/politie/server.crt'), key: read('partners/politie/server.key'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const nth = (perConnection.get(socket) ?? 0) + 1;
    perConnection.set(socket, nth);
    req.resume();
    req.on('end', () => {
      seen.requests.push(String(req.headers['idempotency-key'] ?? req.url));
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (dropSecond && nth === 2) socket.destroy();
      else if (nth === 2 && answerSecondAfterMs > 0) setTimeout(answer, answerSecondAfterMs);
      else answer();
    });
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on('secureConnection', (socket: TLSSocket) => {
    seen.connections++;
    socket.on('timeout', () => seen.timedOut++);
    socket.on('close', () => seen.closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://localhost:${(server.address() as AddressInfo).port}/deliveries`, seen, server };
}

type Send = (url: string, id: string) => Promise<unknown>;

/** The two clients that keep connections to other systems alive: a partner's (the simulator's) and the hub's push. */
function clients(): { name: string; make: () => { send: Send; close: () => void } }[] {
  return [
    {
      name: 'a partner system’s client',
      make: () => {
        let client: MutualTlsClient | undefined;
        return {
          send: async (url, id) => {
            client ??= new MutualTlsClient(loadClientTls(CERTS, 'partners/vt'), url);
            const answer = await client.request('POST', `/deliveries/${id}`, '{}');
            expect(answer.status).toBe(200);
          },
          close: () => client?.close(),
        };
      },
    },
    { name: 'the hub’s push to a partner', make: () => pushClient(10) },
  ];
}

/** The hub's push transport with a push timeout of `timeoutSeconds`, as a client of the test server. */
function pushClient(timeoutSeconds: number): { send: Send; close: () => void } {
  const push = pushTransport({ caFor: () => read('ca.crt'), cert: read('hub/client.crt'), key: read('hub/client.key'), revokes: () => false, staleCrlFor: () => undefined }, () => timeoutSeconds);
  return {
    send: async (url, id) => {
      const partner = { id: 'politie', transport: { kind: 'push', url } } as Partner;
      const delivery = { deliveryId: id, ciphertext: new TextEncoder().encode('-----BEGIN PGP MESSAGE-----') } as unknown as DeliveryRecord;
      expect(await push.deliver(delivery, partner)).toEqual({ event: 'delivered', detail: 'HTTP 200' });
    },
    close: () => undefined,
  };
}

const servers: Server[] = [];
const closers: (() => void)[] = [];

afterEach(async () => {
  closers.splice(0).forEach((close) => close());
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())));
});

async function serverAndClient(make: () => { send: Send; close: () => void }, behaviour: Behaviour) {
  const { url, seen, server } = await startServer(behaviour);
  servers.push(server);
  const client = make();
  closers.push(client.close);
  return { url, seen, client };
}

describe.each(clients())('keep-alive connections of $name', ({ make }) => {
  it('closes an idle connection before the server announces it would', async () => {
    const { url, seen, client } = await serverAndClient(make, {});
    await client.send(url, 'd-1');
    await client.send(url, 'd-2');
    expect(seen.connections).toBe(1);
    // Closed by the client a second before the announced 2 s; the server would time it out at 3 s.
    await eventually('the idle connection closed', async () => (seen.closed === 1 ? true : undefined), 5_000);
    expect(seen.timedOut).toBe(0);
  });

  it('sends a request once more on a new connection when a pooled one is closed under it', async () => {
    const { url, seen, client } = await serverAndClient(make, { dropSecond: true });
    await client.send(url, 'd-1');
    await client.send(url, 'd-2');
    expect(seen.connections).toBe(2);
    expect(seen.requests.map((r) => r.split('/').pop())).toEqual(['d-1', 'd-2', 'd-2']);
  });
});

describe('the hub’s push on a pooled connection', () => {
  it('waits its whole push timeout, also when that equals the idle timeout and the partner announced a shorter one', async () => {
    // Announced 3 s: the connection idles for at most 2 s, which must not become the next push's timeout.
    const { url, seen, client } = await serverAndClient(() => pushClient(IDLE_CONNECTION_MS / 1000), { keepAliveMs: 3_000, answerSecondAfterMs: 3_000 });
    await client.send(url, 'd-1');
    await client.send(url, 'd-2');
    expect(seen.connections).toBe(1);
    expect(seen.requests).toEqual(['d-1', 'd-2']);
  });
});
