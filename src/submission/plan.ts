import type { CanonicalDelivery, PartnerAdapter } from '../../adapters/types.ts';
import type { Policy } from '../config/schema.ts';
import type { HubConfig } from '../config/types.ts';
import { payloadJsonSchema, type Envelope } from '../messages/index.ts';
import { minimise, type Manifest } from '../minimisation/engine.ts';
import { route, type RefusedRecipient } from '../routing/route.ts';
import type { TransportKind } from '../store/types.ts';
import type { MeetingAssignment } from './meeting.ts';

export interface PlannedDelivery {
  deliveryId: string;
  recipient: string;
  transport: TransportKind;
  policy: Policy;
  manifest: Manifest;
  /** Which input elements of each list the view holds, for the log to tell which persons it concerns. */
  kept: Record<string, number[]>;
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
  meeting?: MeetingAssignment | undefined;
}

/** One recipient's view of a message: what its policy lets through, and that in its own vocabulary. */
export interface RecipientView {
  recipient: string;
  transport: TransportKind;
  policy: Policy;
  manifest: Manifest;
  kept: Record<string, number[]>;
  canonical: CanonicalDelivery;
  /** Without `document` where the partner reads the canonical `payload` itself. */
  mapped: { format: string; document?: Record<string, unknown> };
}

/**
 * For every recipient: the policy for its purpose and type, its minimised view and manifest, and
 * that view in its own vocabulary. Pure apart from the ids it is given.
 */
export function recipientViews(envelope: Envelope, sender: string, ctx: PlanContext): { views: RecipientView[]; refused: RefusedRecipient[] } {
  const routing = route(envelope, sender, ctx.config);
  const schema = payloadJsonSchema(envelope.type);
  const views = routing.deliverable.map(({ recipient, policy }) => {
    const partner = ctx.config.partners.find((p) => p.id === recipient);
    const adapter = partner && ctx.adapters.get(partner.adapter);
    if (!partner || !adapter) throw new TypeError(`no adapter for ${recipient}`);
    const { view, manifest, kept } = minimise(envelope.payload, schema, policy, ctx.pseudonymKey);
    const canonical: CanonicalDelivery = {
      deliveryId: ctx.newId(),
      messageId: envelope.messageId,
      type: envelope.type,
      purpose: envelope.purpose,
      sender,
      caseRef: envelope.caseRef,
      createdAt: envelope.createdAt,
      policy: { id: policy.id, version: policy.version },
      ...(ctx.meeting ? { meeting: ctx.meeting } : {}),
      payload: view,
    };
    return { recipient, transport: partner.transport.kind, policy, manifest, kept, canonical, mapped: adapter.map ? { format: adapter.format, document: adapter.map(canonical) } : { format: adapter.format } };
  });
  return { views, refused: routing.refused };
}

/** The deliveries to seal and store: each recipient's view as the JSON the recipient will decrypt. */
export function planDeliveries(envelope: Envelope, sender: string, ctx: PlanContext): DeliveryPlan {
  const { views, refused } = recipientViews(envelope, sender, ctx);
  const deliveries = views.map((v) => ({
    deliveryId: v.canonical.deliveryId,
    recipient: v.recipient,
    transport: v.transport,
    policy: v.policy,
    manifest: v.manifest,
    kept: v.kept,
    plaintext: JSON.stringify({ ...v.canonical, mapped: v.mapped }),
  }));
  return { deliveries, refused };
}
