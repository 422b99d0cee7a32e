import { newDeliveryId } from './delivery-id.ts';
import type { PartnerAdapter } from '../../adapters/types.ts';
import type { RecentCiphertext } from '../delivery/recent-ciphertext.ts';
import type { HubConfig } from '../config/types.ts';
import type { EnvelopeCrypto } from '../envelope/crypto.ts';
import type { Keyring } from '../envelope/keyring.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import { validateEnvelope, type Envelope } from '../messages/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { HubMetrics } from '../observability/metrics.ts';
import { DuplicateMessageError, type DeliveryRecord, type DisclosureRecord, type HubStore, type StoredMessage } from '../store/types.ts';
import type { Policy } from '../config/schema.ts';
import { newSpanId, traceIdFrom } from '../disclosure-log/entries.ts';
import { informingOf } from '../disclosure-log/informing.ts';
import { subjectsIn } from '../disclosure-log/subjects.ts';
import { keyedHash } from '../minimisation/keyed-hash.ts';
import { writeCanonicalJson } from './canonical-json.ts';
import { assignMeeting, type MeetingAssignment } from './meeting.ts';
import { planDeliveries } from './plan.ts';
import { parsePlaintextJson } from './plaintext-json.ts';
import { checkAcceptWindow, checkSenderMaySendRaw, checkSubmissionRules } from './rules.ts';

export interface SubmissionDeps {
  config: HubConfig;
  /** The policies in force at this moment; administrators may publish new versions at any time. */
  policies: { current(): Policy[] };
  keyring: Keyring;
  /** Opens and seals, on the worker threads of the crypto pool. */
  crypto: EnvelopeCrypto;
  store: HubStore;
  adapters: Map<string, PartnerAdapter>;
  pseudonymKey: Uint8Array;
  enqueue: (deliveryId: string, recipient: string) => Promise<void>;
  /** Keeps what is sealed for push in memory until the delivery worker takes it (see RecentCiphertext). */
  recentCiphertext?: RecentCiphertext;
  log: Logger;
  metrics?: HubMetrics;
  now?: () => Date;
}

export interface SubmitResponse {
  messageId: string;
  deliveries: { deliveryId: string; recipient: string; status: string }[];
  refused: { recipient: string; reason: string }[];
  meeting?: MeetingAssignment;
}

/** The answer the message got when it was accepted: API.md promises a repeat "the same body" (the status is at GET /v1/messages/{id}). */
function responseFor(stored: StoredMessage): SubmitResponse {
  return {
    messageId: stored.message.messageId,
    deliveries: stored.deliveries.map((d) => ({ deliveryId: d.deliveryId, recipient: d.recipient, status: 'queued' })),
    refused: stored.message.refused,
    ...(stored.message.meeting ? { meeting: stored.message.meeting } : {}),
  };
}

function meetingFor(deps: SubmissionDeps, envelope: Envelope, sender: string, now: Date): MeetingAssignment | undefined {
  if (envelope.type !== 'submission') return undefined;
  return assignMeeting(now, deps.config.meetings, { urgent: envelope.payload.urgent === true, byChair: sender === deps.config.chair });
}

/** A keyed digest of the envelope's canonical JSON: the same content sent again has the same digest. */
function contentDigest(envelope: Envelope, key: Uint8Array): string {
  const hmac = keyedHash(key);
  writeCanonicalJson(envelope, (piece) => hmac.update(piece));
  return hmac.digest('hex');
}

async function existing(deps: SubmissionDeps, sender: string, envelope: Envelope, digest: string): Promise<SubmitResponse | undefined> {
  const stored = await deps.store.findMessage(sender, envelope.messageId);
  if (!stored) return undefined;
  if (stored.message.contentDigest !== digest) {
    throw new HubProblem(Problems.messageIdConflict, `messageId ${envelope.messageId} was used before with other content`);
  }
  return responseFor(stored);
}

/**
 * Takes one armoured message from a partner through the whole flow of ARCHITECTURE.md up to the
 * outbox: open, validate, route, minimise, map, seal, store in one transaction, then queue.
 */
export async function acceptSubmission(deps: SubmissionDeps, sender: string, armored: string | Uint8Array, traceparent?: string): Promise<{ status: 200 | 202; body: SubmitResponse }> {
  const now = deps.now?.() ?? new Date();
  const partner = deps.config.partners.find((p) => p.id === sender);
  if (!partner) throw new HubProblem(Problems.wrongRole, 'Only partners submit messages');
  const opened = await deps.crypto.open(armored, sender, deps.config.hub.limits, now);
  const raw = parsePlaintextJson(opened.plaintext);
  checkSenderMaySendRaw(partner, raw);
  const envelope = validateEnvelope(raw);
  const digest = contentDigest(envelope, deps.pseudonymKey);
  const repeat = await existing(deps, sender, envelope, digest);
  if (repeat) return { status: 200, body: repeat };
  checkAcceptWindow(envelope.createdAt, now, deps.config.hub.acceptWindow);
  checkSubmissionRules(envelope, sender, deps.config.chair);

  const meeting = meetingFor(deps, envelope, sender, now);
  const config = { routes: deps.config.routes, partners: deps.config.partners, policies: deps.policies.current() };
  const plan = planDeliveries(envelope, sender, { config, adapters: deps.adapters, pseudonymKey: deps.pseudonymKey, newId: newDeliveryId, meeting });
  if (plan.deliveries.length === 0) {
    const why = plan.refused.map((r) => `${r.recipient}: ${r.reason}`).join(', ') || 'no route for this type and purpose';
    throw new HubProblem(Problems.noPermittedRecipient, `No recipient may receive ${envelope.type} for ${envelope.purpose} (${why})`);
  }
  const at = now.toISOString();
  const traceId = traceIdFrom(traceparent);
  const retainUntil = (policy: Policy) => new Date(now.getTime() + (policy.retentionDays ?? deps.config.hub.log.retentionDays) * 86_400_000).toISOString();
  const subjectsOfView = subjectsIn(envelope.payload, deps.pseudonymKey);
  const deliveries: DeliveryRecord[] = [];
  const disclosures: DisclosureRecord[] = [];
  // Sealed in parallel: each recipient's copy is independent work for the pool.
  const sealed = await Promise.all(plan.deliveries.map((planned) => deps.crypto.seal(planned.plaintext, planned.recipient, now)));
  for (const [i, planned] of plan.deliveries.entries()) {
    const { ciphertext, digest } = sealed[i]!;
    const common = { deliveryId: planned.deliveryId, messageId: envelope.messageId, sender, recipient: planned.recipient, policyId: planned.policy.id, policyVersion: planned.policy.version, ciphertextDigest: digest };
    deliveries.push({ ...common, transport: planned.transport, ciphertext, createdAt: at });
    disclosures.push({ ...common, type: envelope.type, purpose: envelope.purpose, caseRef: envelope.caseRef, legalBasis: planned.policy.legalBasis, manifest: planned.manifest, recordedAt: at,
      traceId, spanId: newSpanId(), subjects: subjectsOfView(planned.kept), retainUntil: retainUntil(planned.policy),
    });
  }
  const message = { sender, messageId: envelope.messageId, type: envelope.type, purpose: envelope.purpose, caseRef: envelope.caseRef, createdAt: envelope.createdAt, receivedAt: at, contentDigest: digest, refused: plan.refused, meeting };
  try {
    await deps.store.saveOutbox(message, deliveries, disclosures, informingOf(envelope, deps.pseudonymKey, at));
  } catch (err) {
    if (!(err instanceof DuplicateMessageError)) throw err;
    const raced = await existing(deps, sender, envelope, digest);
    if (raced) return { status: 200, body: raced };
    throw err;
  }
  for (const d of deliveries) {
    deps.metrics?.deliveryEvents.inc({ partner: d.recipient, event: 'queued' });
    if (d.transport === 'push') deps.recentCiphertext?.remember(d.deliveryId, d.ciphertext);
  }
  await queueAll(deps, deliveries);
  deps.log.info({ sender, messageId: envelope.messageId, type: envelope.type, purpose: envelope.purpose, deliveries: deliveries.length, refused: plan.refused.length, traceId }, 'message accepted');
  return {
    status: 202,
    body: {
      messageId: envelope.messageId,
      deliveries: deliveries.map((d) => ({ deliveryId: d.deliveryId, recipient: d.recipient, status: 'queued' })),
      refused: plan.refused,
      ...(meeting ? { meeting } : {}),
    },
  };
}

/** The outbox is already durable: a queue that is down only delays delivery until the reconciler runs. */
async function queueAll(deps: SubmissionDeps, deliveries: DeliveryRecord[]): Promise<void> {
  // Each recipient has its own queue: one round trip to Redis for all of them, not one after another.
  await Promise.all(
    deliveries.map((d) =>
      deps.enqueue(d.deliveryId, d.recipient).catch((err: unknown) => {
        deps.log.warn({ deliveryId: d.deliveryId, err: (err as Error).message }, 'queueing failed; the reconciler will queue it again');
      }),
    ),
  );
}
