import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';

export interface ServerTls {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Mutual TLS: a client without a certificate from a trusted CA is refused in the handshake, before
 * any HTTP is read. TLS 1.2 is the minimum; TLS 1.3 is negotiated whenever the client offers it.
 */
export function createTlsServer(tls: ServerTls, app: RequestListener): Server {
  const server = createServer(
    {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      honorCipherOrder: true,
    },
    app,
  );
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 10_000;
  return server;
}
