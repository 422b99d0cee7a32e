import { Router } from 'express';
import { z } from 'zod';
import { HubProblem, Problems } from '../../errors/problem.ts';
import { HubMetrics } from '../../observability/metrics.ts';
import type { HubStore } from '../../store/types.ts';
import { principalOf, requireRole } from '../authenticate.ts';

// Decimal digits only: Number() would also take `0x10`, `1e2` or ` 5`; unknown parameters are refused.
const count = z.string().regex(/^[0-9]{1,15}$/, 'a whole number').transform(Number);
const InboxQuery = z
  .object({
    limit: count.pipe(z.number().min(1).max(500)).default(100),
    after: count.default(0),
  })
  .strict();

export function inboxRouter(store: HubStore, metrics: HubMetrics): Router {
  const router = Router();
  router.use(requireRole('partner'));

  router.get('/', async (req, res) => {
    const query = InboxQuery.safeParse(req.query);
    if (!query.success) {
      throw new HubProblem(Problems.malformedRequest, 'Invalid inbox query', query.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const page = await store.listInbox(principalOf(res).id, query.data.after, query.data.limit);
    res.json({ deliveries: page.entries, cursor: page.cursor === null ? null : String(page.cursor) });
  });

  /** A delivery is found only by its recipient; any other caller gets 404, as if it did not exist. */
  async function ownDelivery(deliveryId: string, partnerId: string) {
    const delivery = await store.getDelivery(deliveryId);
    if (!delivery || delivery.recipient !== partnerId) throw new HubProblem(Problems.notFound, `No delivery ${deliveryId} for you`);
    return delivery;
  }

  router.get('/:deliveryId', async (req, res) => {
    const delivery = await ownDelivery(req.params.deliveryId, principalOf(res).id);
    await store.appendEventOnce({ deliveryId: delivery.deliveryId, event: 'delivered', at: new Date().toISOString(), detail: 'fetched from inbox' });
    res.status(200).type('application/pgp-encrypted').send(delivery.ciphertext);
  });

  router.post('/:deliveryId/ack', async (req, res) => {
    const delivery = await ownDelivery(req.params.deliveryId, principalOf(res).id);
    const at = new Date().toISOString();
    // Acknowledging implies receipt, even if the partner had the body from elsewhere.
    await store.appendEventOnce({ deliveryId: delivery.deliveryId, event: 'delivered', at });
    if (await store.appendEventOnce({ deliveryId: delivery.deliveryId, event: 'acknowledged', at })) {
      metrics.deliveryEvents.inc({ partner: delivery.recipient, event: 'acknowledged' });
      metrics.acknowledgeLatency.observe({ partner: delivery.recipient }, HubMetrics.since(delivery.createdAt));
    }
    res.status(204).end();
  });
  return router;
}
