import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PartnerAdapter } from '../../adapters/types.ts';
import type { Policy } from '../config/schema.ts';
import type { HubConfig } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import { MessageType, Purpose, validateEnvelope } from '../messages/index.ts';
import { PartnerId } from '../messages/common.ts';
import { recipientViews } from '../submission/plan.ts';

/** A message as an administrator pastes it: plaintext, never stored, never sent. */
export const PreviewRequest = z
  .object({
    sender: PartnerId,
    type: MessageType,
    purpose: Purpose,
    caseRef: z.string().min(1).max(100).default('PREVIEW'),
    recipients: z.array(PartnerId).min(1).max(20).optional(),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict();

export interface PreviewDeps {
  config: Pick<HubConfig, 'routes' | 'partners'>;
  policies: { current(): Policy[] };
  adapters: Map<string, PartnerAdapter>;
  pseudonymKey: Uint8Array;
}

/**
 * What each recipient would receive and what would be withheld, with the policies in force now. It
 * runs the same routing, minimisation and mapping as a submission, and stops before sealing.
 */
export function preview(deps: PreviewDeps, body: unknown) {
  const parsed = PreviewRequest.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: '/' + i.path.map(String).join('/'), message: i.message }));
    throw new HubProblem(Problems.schemaViolation, 'The preview request does not match its schema', errors);
  }
  const { sender, ...message } = parsed.data;
  if (!deps.config.partners.some((p) => p.id === sender)) {
    throw new HubProblem(Problems.schemaViolation, `Unknown sender ${sender}`, [{ path: '/sender', message: 'not a configured partner' }]);
  }
  // The payload as sent, not z.record's copy, which drops an own `__proto__` key (see validateEnvelope).
  const envelope = validateEnvelope({ messageId: randomUUID(), createdAt: new Date().toISOString(), ...message, payload: (body as { payload: unknown }).payload });
  const config = { ...deps.config, policies: deps.policies.current() };
  const { views, refused } = recipientViews(envelope, sender, { config, adapters: deps.adapters, pseudonymKey: deps.pseudonymKey, newId: () => 'preview' });
  return {
    type: envelope.type,
    purpose: envelope.purpose,
    recipients: views.map((v) => ({
      recipient: v.recipient,
      policy: { id: v.policy.id, version: v.policy.version, legalBasis: v.policy.legalBasis },
      payload: v.canonical.payload,
      mapped: v.mapped,
      disclosed: v.manifest.disclosed,
      withheld: v.manifest.withheld,
    })),
    refused,
  };
}
