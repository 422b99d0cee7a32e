import type { ClientRequest } from 'node:http';

/**
 * How long a client keeps an idle connection for its next request: this long, or a second less than the
 * server announces in `Keep-Alive: timeout=`, whichever is shorter (as Node's global agent does).
 * Node's agent honours that announcement only when it has a `timeout` of its own; without one it keeps
 * idle connections until the server closes them, and a request written as the server closes its end is
 * reset. The bench's hour-long soaks met that once in about 50,000 submissions.
 */
export const IDLE_CONNECTION_MS = 5_000;

export const keepAliveAgentOptions = { keepAlive: true, timeout: IDLE_CONNECTION_MS } as const;

/**
 * Whether a request failed because the pooled connection it was written to had been closed by the server
 * meanwhile, before any answer: sending it once more on a new connection is what HTTP clients do for an
 * idempotent request (Node's documentation of `request.reusedSocket`). The hub's push is (a delivery
 * carries its `Idempotency-Key`), and so is what the simulated partners send: a submission by its
 * `messageId`, an acknowledgement, reads; an administrator's `PUT` with `If-Match` that did arrive is
 * refused the second time with `412`, not applied twice.
 */
export function isStaleConnection(req: ClientRequest, err: NodeJS.ErrnoException, answered: boolean): boolean {
  return req.reusedSocket && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
}
