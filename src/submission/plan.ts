import type { CanonicalDelivery, PartnerAdapter } from '../../adapters/types.ts';
import type { Policy } from '../config/schema.ts';
import type { HubConfig } from '../config/types.ts';
import { payloadJsonSchema, type Envelope } from '../messages/index.ts';
import { minimise, type Manifest } from '../minimisation/engine.ts';
import { route, type RefusedRecipient } from '../routing/route.ts';

export interface PlannedDelivery {
  deliveryId: string;
  recipient: string;
  transport: 'pull' | 'push';
  policy: Policy;
  manifest: Manifest;
  /** The recipient's view as JSON, to be sealed: lives only in memory. */
  plaintext: string;
}

export interface DeliveryPlan {
  deliveries: PlannedDelivery[];
  refused: RefusedRecipient[];
}

export interface PlanContext {
  config: Pick<HubConfig, 'routes' | 'partners' | 'policies'>;
  adapters: Map<string, PartnerAdapter>;
  pseudonymKey: Uint8Array;
  newId: () => string;
}

/**
 * For every recipient: the policy for its purpose and type, its minimised view and manifest, and
 * that view in its own vocabulary. Pure apart from the ids it is given.
 */
export function planDeliveries(envelope: Envelope, sender: string, ctx: PlanContext): DeliveryPlan {
  const routing = route(envelope, sender, ctx.config);
  const schema = payloadJsonSchema(envelope.type);
  const deliveries = routing.deliverable.map(({ recipient, policy }) => {
    const partner = ctx.config.partners.find((p) => p.id === recipient);
    const adapter = partner && ctx.adapters.get(partner.adapter);
    if (!partner || !adapter) throw new TypeError(`no adapter for ${recipient}`);
    const { view, manifest } = minimise(envelope.payload, schema, policy, ctx.pseudonymKey);
    const canonical: CanonicalDelivery = {
      deliveryId: ctx.newId(),
      messageId: envelope.messageId,
      type: envelope.type,
      purpose: envelope.purpose,
      sender,
      caseRef: envelope.caseRef,
      createdAt: envelope.createdAt,
      policy: { id: policy.id, version: policy.version },
      payload: view,
    };
    const plaintext = JSON.stringify({ ...canonical, mapped: { format: adapter.format, document: adapter.map(canonical) } });
    return { deliveryId: canonical.deliveryId, recipient, transport: partner.transport.kind, policy, manifest, plaintext };
  });
  return { deliveries, refused: routing.refused };
}
