import { z } from 'zod';
import { HubProblem, Problems, type FieldError } from '../errors/problem.ts';
import { AgendaPayload } from './agenda.ts';
import { EnrichmentAnswerPayload, EnrichmentRequestPayload } from './enrichment.ts';
import { EnvelopeSchema, type Envelope, type MessageType } from './envelope.ts';
import { FeedbackPayload } from './feedback.ts';
import { MinutesPayload } from './minutes.ts';
import { SubmissionPayload } from './submission.ts';

export * from './envelope.ts';
export { CORE_CATEGORIES, type CoreCategory } from './categories.ts';

export const PAYLOAD_SCHEMAS: Record<MessageType, z.ZodType> = {
  submission: SubmissionPayload,
  agenda: AgendaPayload,
  'enrichment-request': EnrichmentRequestPayload,
  'enrichment-answer': EnrichmentAnswerPayload,
  minutes: MinutesPayload,
  feedback: FeedbackPayload,
};

export type JsonSchema = Record<string, unknown>;

const jsonSchemas = new Map<MessageType, JsonSchema>();

/** The JSON Schema of a payload type, with `x-category` and Dutch descriptions; computed once. */
export function payloadJsonSchema(type: MessageType): JsonSchema {
  let schema = jsonSchemas.get(type);
  if (!schema) {
    schema = z.toJSONSchema(PAYLOAD_SCHEMAS[type]) as JsonSchema;
    jsonSchemas.set(type, schema);
  }
  return schema;
}

function toFieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: prefix + issue.path.map((p) => '/' + String(p)).join(''),
    message: issue.message,
  }));
}

/** Validates the envelope and its payload against the schema of its type; refuses with 422 naming every bad field. */
export function validateEnvelope(input: unknown): Envelope {
  const envelope = EnvelopeSchema.safeParse(input);
  if (!envelope.success) {
    throw new HubProblem(Problems.schemaViolation, 'The envelope does not match the contract of API.md', toFieldErrors(envelope.error, ''));
  }
  // The payload as sent, not as z.record copied it: the copy drops an own `__proto__` key, which the
  // strict payload schema must see to refuse it as an unknown field.
  const payload = PAYLOAD_SCHEMAS[envelope.data.type].safeParse((input as { payload: unknown }).payload);
  if (!payload.success) {
    throw new HubProblem(
      Problems.schemaViolation,
      `The payload does not match the schema of type ${envelope.data.type}`,
      toFieldErrors(payload.error, '/payload'),
    );
  }
  return { ...envelope.data, payload: payload.data as Record<string, unknown> };
}
