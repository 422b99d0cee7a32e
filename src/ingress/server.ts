import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Logger } from '../observability/logger.ts';
import type { HubMetrics } from '../observability/metrics.ts';

export interface ServerTls {
  ca: string;
  cert: string;
  key: string;
  /** PEM CRLs, one per CA level: once OpenSSL has any CRL it wants one for every certificate of the chain. */
  crl: string[];
}

/**
 * TLS 1.3 suites first; for TLS 1.2 only ephemeral ECDHE key exchange with AEAD ciphers (GCM,
 * ChaCha20-Poly1305): no static RSA key exchange, no CBC, no SHA-1 MACs. Security level 2 also refuses
 * certificates with keys under 112 bits of strength (RSA under 2048 bits) and SHA-1 signatures.
 */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  '@SECLEVEL=2',
].join(':');

/** The secure-context options of the partner port, at start-up and on every reload. */
export function secureOptions(tls: ServerTls): SecureContextOptions {
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    ...(tls.crl.length > 0 ? { crl: tls.crl } : {}),
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };
}

/**
 * Mutual TLS: a client without a certificate from a trusted CA, or with one that is expired, not yet
 * valid or revoked, is disconnected right after the handshake, before any HTTP is read (Node checks the
 * chain once the handshake is done); the log says why. TLS 1.2 is the minimum; TLS 1.3 is negotiated
 * whenever the client offers it.
 */
export function createTlsServer(tls: ServerTls, app: RequestListener, log?: Logger, metrics?: HubMetrics): Server {
  const server = createServer({ ...secureOptions(tls), requestCert: true, rejectUnauthorized: true }, app);
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const reason = String(socket.authorizationError ?? err.code ?? 'unknown');
    log?.info({ reason, remote: socket.remoteAddress }, 'tls handshake refused');
    metrics?.tlsRefused.inc({ reason });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 10_000;
  return server;
}

/**
 * Stops accepting connections, closes idle ones, lets requests in flight finish for up to `graceMs`,
 * then cuts whatever is left: a client that stalls halfway through a request (or a handshake) would
 * otherwise hold the shutdown until `requestTimeout`. Connections are counted from the TCP accept, so
 * ones still in their TLS handshake, which Node's HTTP layer does not know yet, are cut too.
 */
export function trackConnections(server: Server): (graceMs: number) => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return (graceMs) =>
    new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    });
}
