import { Router } from 'express';
import type { PartnerKeyReloader } from '../../envelope/key-reload.ts';
import { requireRole } from '../authenticate.ts';
import { strictQuery } from '../query.ts';

/** For administrators: the partners' OpenPGP keys in use, and a reload after registering a new one. */
export function keysRouter(keys: Pick<PartnerKeyReloader, 'reload' | 'status'>): Router {
  const router = Router();
  router.use(requireRole('administrator'));
  router.use(strictQuery());
  router.get('/', (_req, res) => {
    res.json(keys.status);
  });
  router.post('/reload', async (_req, res) => {
    res.json(await keys.reload());
  });
  return router;
}
