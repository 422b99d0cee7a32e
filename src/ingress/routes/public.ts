import { Router } from 'express';
import { HubProblem, Problems } from '../../errors/problem.ts';
import { MESSAGE_TYPES, payloadJsonSchema, type MessageType } from '../../messages/index.ts';
import { requireRole } from '../authenticate.ts';

/** What partners need to code against the hub: its public key and the payload schemas. */
export function publicRouter(hubPublicKeysArmored: () => string): Router {
  const router = Router();
  router.get('/hub-key', requireRole('partner'), (_req, res) => {
    res.type('application/pgp-keys').send(hubPublicKeysArmored());
  });
  router.get('/schemas/:type', (req, res) => {
    const type = req.params.type as MessageType;
    if (!MESSAGE_TYPES.includes(type)) throw new HubProblem(Problems.notFound, `No schema for type ${req.params.type}; types are ${MESSAGE_TYPES.join(', ')}`);
    res.type('application/schema+json').send(JSON.stringify(payloadJsonSchema(type)));
  });
  return router;
}
