import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

// A connection keeps the certificate of its handshake: parsed once, not for each request on it.
const parsed = new WeakMap<TLSSocket, X509Certificate | undefined>();

/** The client certificate of a connection, as its TLS handshake presented it. */
export function peerCertificate(socket: TLSSocket): X509Certificate | undefined {
  if (!parsed.has(socket)) parsed.set(socket, socket.getPeerX509Certificate?.());
  return parsed.get(socket);
}
