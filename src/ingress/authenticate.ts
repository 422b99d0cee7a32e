import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import type { HubConfig } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import { identify, type Principal } from './identity.ts';
import { peerChain } from '../pki/chain.ts';

/** Who is calling: the TLS layer has verified the chain; the configuration says whose certificate it is. */
export function authenticate(config: Pick<HubConfig, 'partners' | 'operators'>): RequestHandler {
  return (req, res, next) => {
    const socket = req.socket as TLSSocket;
    const [peer] = peerChain(socket);
    if (!socket.authorized || !(peer instanceof X509Certificate)) {
      next(new HubProblem(Problems.unknownCertificate, 'A client certificate from a trusted CA is required'));
      return;
    }
    const principal = identify(peer, config);
    if (!principal) {
      next(new HubProblem(Problems.unknownCertificate, 'The client certificate is valid but not registered for any partner or operator'));
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: { locals: Record<string, unknown> }): Principal {
  return res.locals.principal as Principal;
}

/** Restricts a route to one kind of principal: partners cannot use operator endpoints and the other way round. */
export function requireRole(kind: Principal['kind']): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (principal.kind !== kind) next(new HubProblem(Problems.wrongRole, `This endpoint is for ${kind} certificates`));
    else next();
  };
}
