import { Router } from 'express';
import { z } from 'zod';
import { HubProblem, Problems } from '../../errors/problem.ts';
import { HubMetrics } from '../../observability/metrics.ts';
import type { HubStore } from '../../store/types.ts';
import { principalOf, requireRole } from '../authenticate.ts';
import { count, limit, parseQuery } from '../query.ts';

// Unknown parameters are refused.
const InboxQuery = z
  .object({
    limit: limit(500, 100),
    after: count.default(0),
  })
  .strict();

export function inboxRouter(store: HubStore, metrics: HubMetrics): Router {
  const router = Router();
  router.use(requireRole('partner'));

  router.get('/', async (req, res) => {
    const query = parseQuery(InboxQuery, req.query);
    const page = await store.listInbox(principalOf(res).id, query.after, query.limit);
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
    if (delivery.ciphertextPurgedAt) {
      throw new HubProblem(Problems.deliveryPurged, `Delivery ${delivery.deliveryId} was received; the hub purged its copy at ${delivery.ciphertextPurgedAt}`);
    }
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
