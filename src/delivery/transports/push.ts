import { request } from 'node:https';
import type { Partner } from '../../config/types.ts';
import type { Transport } from './types.ts';
import { TransportError } from './types.ts';

export interface PushTls {
  /** The CA a partner's server certificate must chain to: its pinned CA, or the hub's. */
  caFor(partner: Partner): string;
  cert: string;
  key: string;
}

/**
 * Push: an HTTPS POST over mutual TLS with the hub's client certificate, trusting only the configured
 * CA, with `Idempotency-Key` so that the partner can drop a repeat after a lost answer.
 */
export function pushTransport(tls: PushTls, timeoutSecondsFor: (partner: Partner) => number): Transport {
  return {
    deliver(delivery, partner) {
      const target = partner.transport;
      if (target.kind !== 'push') throw new TransportError(`partner ${partner.id} is not configured for push`);
      const timeout = timeoutSecondsFor(partner) * 1000;
      return new Promise((resolve, reject) => {
        const req = request(
          target.url,
          {
            method: 'POST',
            ca: tls.caFor(partner),
            cert: tls.cert,
            key: tls.key,
            minVersion: 'TLSv1.2',
            timeout,
            headers: {
              'content-type': 'application/pgp-encrypted',
              'content-length': Buffer.byteLength(delivery.ciphertext),
              'idempotency-key': delivery.deliveryId,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) resolve({ event: 'delivered', detail: `HTTP ${status}` });
              else reject(new TransportError(`partner answered HTTP ${status}`));
            });
          },
        );
        req.on('timeout', () => req.destroy(new TransportError(`no answer within ${timeout} ms`)));
        req.on('error', (err) => reject(err instanceof TransportError ? err : new TransportError(`${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`)));
        req.end(delivery.ciphertext);
      });
    },
  };
}
