import { json, Router } from 'express';
import type { PartnerAdapter } from '../../adapters/types.ts';
import type { HubConfig, Partner } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import { principalOf, requireRole } from '../ingress/authenticate.ts';
import { limit, queryOf, strictQuery } from '../ingress/query.ts';
import type { Logger } from '../observability/logger.ts';
import type { PolicyRegistry } from '../policies/registry.ts';
import { DELIVERY_EVENTS, type HubStore, type PolicyVersion } from '../store/types.ts';
import { z } from 'zod';
import { preview } from './preview.ts';

export interface AdminDeps {
  config: HubConfig;
  store: HubStore;
  /** Queues a delivery for its recipient again (the database already says it is to be delivered). */
  enqueue: (deliveryId: string, recipient: string) => Promise<void>;
  policies: PolicyRegistry;
  adapters: Map<string, PartnerAdapter>;
  pseudonymKey: Uint8Array;
  log: Logger;
}

const DeliveryQuery = z
  .object({
    status: z.enum(DELIVERY_EVENTS).exclude(['available', 'retried', 'purged']).default('dead'),
    limit: limit(1000, 100),
  })
  .strict();

/** A partner as administrators see it: configuration, not keys. */
function partnerView(p: Partner) {
  return { id: p.id, name: p.name, certificate: p.certificate, transport: p.transport, participant: p.participant, adapter: p.adapter, sends: p.sends, pgpPublicKeys: p.pgpPublicKeys };
}

function versionMeta(v: PolicyVersion) {
  return { version: v.policy.version, author: v.author, publishedAt: v.publishedAt, ...(v.comment ? { comment: v.comment } : {}) };
}

function versionView(v: PolicyVersion) {
  return { ...versionMeta(v), policy: v.policy };
}

/** `If-Match: "3"` (or `3`, or `W/"3"`): the version the administrator edited. */
function basedOn(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new HubProblem(Problems.malformedRequest, 'If-Match must name a policy version, such as "3"');
  return Number(match[1]);
}

/** Administrators, over mutual TLS with an administrator certificate: partners, policies and their versions, preview. */
export function adminRouter(deps: AdminDeps): Router {
  const router = Router();
  router.use(requireRole('administrator'));
  router.use(strictQuery({ 'GET /deliveries': DeliveryQuery }));
  router.use(json({ limit: deps.config.hub.limits.requestBytes, type: () => true }));

  router.get('/partners', (_req, res) => {
    res.json({ partners: deps.config.partners.map(partnerView) });
  });

  router.get('/partners/:id', (req, res) => {
    const partner = deps.config.partners.find((p) => p.id === req.params.id);
    if (!partner) throw new HubProblem(Problems.notFound, `No partner ${req.params.id}`);
    res.json({ ...partnerView(partner), policies: deps.policies.current().filter((p) => p.recipient === partner.id).map((p) => ({ id: p.id, version: p.version, purpose: p.purpose, messageTypes: p.messageTypes })) });
  });

  router.get('/policies', (_req, res) => {
    // The register of processing activities: each with its purpose, legal basis and the retention in force for it.
    const policies = deps.policies.current().map((p) => ({ id: p.id, version: p.version, recipient: p.recipient, purpose: p.purpose, messageTypes: p.messageTypes, legalBasis: p.legalBasis, retentionDays: p.retentionDays ?? deps.config.hub.log.retentionDays }));
    res.json({ policies: policies.sort((a, b) => a.id.localeCompare(b.id)) });
  });

  router.get('/policies/:id', (req, res) => {
    const latest = deps.policies.latest(req.params.id);
    if (!latest) throw new HubProblem(Problems.notFound, `No policy ${req.params.id}`);
    res.set('ETag', `"${latest.policy.version}"`).json(versionView(latest));
  });

  router.get('/policies/:id/versions', (req, res) => {
    const history = deps.policies.history(req.params.id);
    if (history.length === 0) throw new HubProblem(Problems.notFound, `No policy ${req.params.id}`);
    res.json({ id: req.params.id, versions: history.map(versionMeta) });
  });

  router.get('/policies/:id/versions/:version', (req, res) => {
    const found = deps.policies.history(req.params.id).find((v) => String(v.policy.version) === req.params.version);
    if (!found) throw new HubProblem(Problems.notFound, `No version ${req.params.version} of policy ${req.params.id}`);
    res.json(versionView(found));
  });

  router.put('/policies/:id', async (req, res) => {
    const author = principalOf(res).id;
    const published = await deps.policies.publish({ id: req.params.id, document: req.body, author, basedOn: basedOn(req.get('if-match')) });
    deps.log.info({ policy: published.policy.id, version: published.policy.version, author }, 'policy version published');
    res
      .status(201)
      .set('ETag', `"${published.policy.version}"`)
      .location(`/admin/v1/policies/${published.policy.id}/versions/${published.policy.version}`)
      .json(versionView(published));
  });

  router.post('/preview', (req, res) => {
    res.json(preview(deps, req.body));
  });

  router.get('/deliveries', async (_req, res) => {
    const query = queryOf(res, DeliveryQuery);
    res.json({ deliveries: await deps.store.deliveriesWithStatus(query.status, query.limit) });
  });

  router.post('/deliveries/:id/retry', async (req, res) => {
    const delivery = await deps.store.getDelivery(req.params.id);
    if (!delivery) throw new HubProblem(Problems.notFound, `No delivery ${req.params.id}`);
    if (delivery.status !== 'dead') throw new HubProblem(Problems.deliveryNotDead, `Delivery ${delivery.deliveryId} is ${delivery.status}`);
    const by = principalOf(res).id;
    await deps.store.appendEvent({ deliveryId: delivery.deliveryId, event: 'retried', at: new Date().toISOString(), detail: `by ${by}` });
    // If Redis is down now, the reconciler queues it: the 'retried' event already makes it pending.
    await deps.enqueue(delivery.deliveryId, delivery.recipient).catch((err: Error) => deps.log.warn({ deliveryId: delivery.deliveryId, err: err.message }, 'retry not queued yet'));
    deps.log.info({ deliveryId: delivery.deliveryId, recipient: delivery.recipient, by }, 'dead delivery retried');
    res.status(202).json({ deliveryId: delivery.deliveryId, recipient: delivery.recipient, status: 'queued' });
  });
  return router;
}
