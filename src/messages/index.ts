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

// A hostile payload can break thousands of rules at once, or name thousands of unknown keys in one
// message: the answer names enough to mend the message, not an echo of the whole input.
const MAX_FIELD_ERRORS = 50;
const MAX_ERROR_TEXT = 300;
const clip = (text: string) => (text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT - 1)}…` : text);

function toFieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  const errors = error.issues.slice(0, MAX_FIELD_ERRORS).map((issue) => ({
    path: clip(prefix + issue.path.map((p) => '/' + String(p)).join('')),
    message: clip(issue.code === 'unrecognized_keys' && issue.keys.length > 1 ? `${issue.keys.length} unknown keys: ${issue.keys.join(', ')}` : issue.message),
  }));
  const more = error.issues.length - errors.length;
  return more > 0 ? [...errors, { path: prefix, message: `and ${more} more errors` }] : errors;
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
