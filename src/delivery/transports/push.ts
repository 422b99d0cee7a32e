import type { X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import type { Partner } from '../../config/types.ts';
import { isStaleConnection, keepAliveAgentOptions } from '../../http/keep-alive.ts';
import { certificateChain, peerChain } from '../../pki/chain.ts';
import type { DeliveryRecord } from '../../store/types.ts';
import type { Transport } from './types.ts';
import { TransportError } from './types.ts';

export interface PushTls {
  /** The CA a partner's server certificate must chain to: its pinned CA, or the hub's. */
  caFor(partner: Partner): string;
  cert: string;
  key: string;
  /** Whether the hub's CRLs (`hub.tls.crl`, as last reloaded) revoke a certificate. */
  revokes(cert: X509Certificate): boolean;
  /** The hub's CRL for the certificate's issuer, when it is past its nextUpdate. */
  staleCrlFor(cert: X509Certificate): { issuer: string; nextUpdate: string | null } | undefined;
}

/**
 * The chain checked against the hub's CRLs after OpenSSL has verified it. Done here rather than by
 * handing OpenSSL the CRLs: OpenSSL would then demand a CRL for every level, and refuse a partner whose
 * pinned CA publishes none to the hub. Where the hub has a CRL for an issuer but it has expired,
 * revocation is unknown and nothing is sent (as at the handshake).
 */
function refusedInChain(tls: Pick<PushTls, 'revokes' | 'staleCrlFor'>, chain: X509Certificate[]): TransportError | undefined {
  for (const x509 of chain) {
    const subject = x509.subject.replaceAll('\n', ', ');
    if (tls.revokes(x509)) return new TransportError(`partner server certificate revoked by the hub's CRL (serial ${x509.serialNumber}, subject ${subject})`);
    const stale = tls.staleCrlFor(x509);
    if (stale) {
      return new TransportError(`the hub's CRL of ${stale.issuer.replaceAll('\n', ', ')} expired at ${stale.nextUpdate}: whether ${subject} is revoked is unknown, so nothing was sent; publish a fresh CRL and reload`);
    }
  }
  return undefined;
}

/**
 * Push: an HTTPS POST over mutual TLS with the hub's client certificate, trusting only the configured
 * CA, with `Idempotency-Key` so that the partner can drop a repeat after a lost answer. Connections are
 * kept alive and reused per partner (Node's agent pools by CA and client certificate), which saves a
 * handshake per delivery; a delivery that meets a pooled connection the partner had just closed is sent
 * once more at once on a new one, rather than waiting for the next attempt.
 */
export function pushTransport(tls: PushTls, timeoutSecondsFor: (partner: Partner) => number): Transport {
  // One pool per partner. The check sits on the agent, not the request: Node does not reuse connections
  // of requests that bring their own checkServerIdentity.
  const agents = new Map<string, Agent>();
  const agentFor = (partner: Partner): Agent => {
    let agent = agents.get(partner.id);
    if (!agent) {
      agent = new Agent({ ...keepAliveAgentOptions, checkServerIdentity: (host, cert) => checkServerIdentity(host, cert) ?? refusedInChain(tls, certificateChain(cert)) });
      agents.set(partner.id, agent);
    }
    return agent;
  };
  const post = (delivery: DeliveryRecord, partner: Partner, mayRepeat: boolean): ReturnType<Transport['deliver']> => {
    const target = partner.transport;
    if (target.kind !== 'push') throw new TransportError(`partner ${partner.id} is not configured for push`);
    const timeout = timeoutSecondsFor(partner) * 1000;
    return new Promise((resolve, reject) => {
      const body = delivery.ciphertext;
      let answered = false;
      const req = request(
        target.url,
        {
          method: 'POST',
          ca: tls.caFor(partner),
          cert: tls.cert,
          key: tls.key,
          minVersion: 'TLSv1.2',
          agent: agentFor(partner),
          timeout,
          headers: {
            'content-type': 'application/pgp-encrypted',
            'content-length': body.length,
            'idempotency-key': delivery.deliveryId,
          },
        },
        (res) => {
          answered = true;
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve({ event: 'delivered', detail: `HTTP ${status}` });
            else reject(new TransportError(`partner answered HTTP ${status}`));
          });
        },
      );
      // A new connection is checked in checkServerIdentity; a pooled one was checked at its handshake, so a CRL
      // reloaded since is checked here, before the request is written to it. Its chain is parsed once: parsing
      // it again for every delivery cost a tenth of the event loop's time under load.
      req.on('socket', (socket: TLSSocket) => {
        if (socket.connecting) return;
        const refused = refusedInChain(tls, peerChain(socket));
        if (refused) req.destroy(refused);
      });
      // Armed again for a pooled connection: Node's agent leaves a timeout equal to its own idle timeout
      // unset, and the connection keeps the shorter one a partner's `Keep-Alive: timeout=` gave it.
      req.setTimeout(timeout);
      req.on('timeout', () => req.destroy(new TransportError(`no answer within ${timeout} ms`)));
      req.on('error', (err) => {
        if (mayRepeat && isStaleConnection(req, err, answered)) resolve(post(delivery, partner, false));
        else reject(err instanceof TransportError ? err : new TransportError(`${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`));
      });
      req.end(body);
    });
  };
  return { deliver: (delivery, partner) => post(delivery, partner, true) };
}
