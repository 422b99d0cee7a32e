import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';

/** A certificate and every CA above it, as a TLS handshake presented and verified them, leaf first. */
export function certificateChain(leaf: PeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let cert: DetailedPeerCertificate | undefined = leaf as DetailedPeerCertificate;
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

// A connection keeps the chain of its handshake: parsed once, not for each request or delivery on it.
const chains = new WeakMap<TLSSocket, X509Certificate[]>();

/** The peer's chain of a connection, leaf first; empty when the peer sent no certificate. */
export function peerChain(socket: TLSSocket): X509Certificate[] {
  let chain = chains.get(socket);
  if (!chain) {
    chain = certificateChain(socket.getPeerCertificate(true));
    chains.set(socket, chain);
  }
  return chain;
}
