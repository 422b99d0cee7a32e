import { z } from 'zod';
import { PartnerId } from './common.ts';

export const MESSAGE_TYPES = ['submission', 'agenda', 'enrichment-request', 'enrichment-answer', 'minutes', 'feedback'] as const;
export const PURPOSES = ['intake', 'enrichment', 'preparation', 'execution', 'feedback'] as const;

export const MessageType = z.enum(MESSAGE_TYPES);
export const Purpose = z.enum(PURPOSES);
export type MessageType = z.infer<typeof MessageType>;
export type Purpose = z.infer<typeof Purpose>;

/** The signed and encrypted plaintext a partner sends (API.md, "The envelope"). */
export const EnvelopeSchema = z
  .object({
    messageId: z.uuid(),
    type: MessageType,
    purpose: Purpose,
    createdAt: z.iso.datetime({ offset: true }),
    // Shown in clear in inboxes, the disclosure log and exports: no control or invisible formatting characters.
    caseRef: z.string().min(1).max(100).regex(/^[^\p{Cc}\p{Cf}]+$/u, 'no control or invisible formatting characters'),
    recipients: z.array(PartnerId).min(1).max(20).optional(),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict();

export type Envelope = z.infer<typeof EnvelopeSchema>;
