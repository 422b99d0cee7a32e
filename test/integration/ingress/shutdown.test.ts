import { connect, type TLSSocket } from 'node:tls';
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClientTls } from '../../../src/simulator/client.ts';
import { CERTS, startTestHub, type TestHub } from '../../support/hub.ts';

/**
 * A shutdown waits for requests in flight only so long: a client that stalls halfway through a request,
 * or never finishes its handshake, must not hold the hub open until the request timeout (60 s).
 */
let t: TestHub | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

function stalledRequest(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...loadClientTls(CERTS, 'partners/politie') }, () => {
      // Headers announce a body that never comes.
      socket.write('POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/pgp-encrypted\r\nContent-Length: 1000\r\n\r\n-----BEGIN PGP');
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('shutdown', () => {
  it('cuts a request that stalls halfway and a connection that never finishes its handshake, after the grace period', async () => {
    t = await startTestHub();
    const stalled = await stalledRequest(t.hub.port);
    const silent = tcpConnect({ host: '127.0.0.1', port: t.hub.port });
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.once('connect', resolve));

    const started = Date.now();
    await t.hub.close();
    const took = Date.now() - started;
    await Promise.all([closed(stalled), closed(silent)]);
    // The grace period is 5 s; without the cut the hub waited for the 60 s request timeout.
    expect(took).toBeGreaterThanOrEqual(4_500);
    expect(took).toBeLessThan(30_000);
  });
});
