import { Router } from 'express';
import { requireRole } from '../authenticate.ts';
import { strictQuery } from '../query.ts';
import type { TlsReloader } from '../tls-reload.ts';

/** For administrators: what the partner port has loaded, and a reload after publishing a CRL or certificate. */
export function tlsRouter(tls: Pick<TlsReloader, 'reload' | 'status'>): Router {
  const router = Router();
  router.use(requireRole('administrator'));
  router.use(strictQuery());
  router.get('/', (_req, res) => {
    res.json(tls.status);
  });
  router.post('/reload', (_req, res) => {
    res.json(tls.reload());
  });
  return router;
}
