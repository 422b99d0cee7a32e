import { Router } from 'express';
import { z } from 'zod';
import type { DisclosureLog } from '../../disclosure-log/service.ts';
import { HubProblem, Problems } from '../../errors/problem.ts';
import type { HubStore } from '../../store/types.ts';
import { principalOf, requireRole } from '../authenticate.ts';
import { count, queryOf, strictQuery } from '../query.ts';

// The size of a checkpoint the caller kept.
const Consistency = z.object({ from: count.pipe(z.number().min(1, 'at least 1')) }).strict();

/** For partners: the signed checkpoint, and inclusion proofs for deliveries they sent or received. */
export function logRouter(store: HubStore, disclosureLog: DisclosureLog): Router {
  const router = Router();
  router.use(requireRole('partner'));
  router.use(strictQuery({ 'GET /consistency': Consistency }));
  router.get('/checkpoint', async (_req, res) => {
    res.json(await disclosureLog.checkpoint());
  });
  router.get('/consistency', async (_req, res) => {
    res.json(await disclosureLog.consistency(queryOf(res, Consistency).from));
  });
  router.get('/proof/:deliveryId', async (req, res) => {
    const delivery = await store.getDelivery(req.params.deliveryId);
    const me = principalOf(res).id;
    // Someone else's delivery answers exactly as a missing one does.
    if (!delivery || (delivery.sender !== me && delivery.recipient !== me)) throw new HubProblem(Problems.notFound, `No delivery ${req.params.deliveryId}`);
    res.json(await disclosureLog.proof(delivery.deliveryId));
  });
  return router;
}
