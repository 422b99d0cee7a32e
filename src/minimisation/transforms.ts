import type { Transform } from '../config/schema.ts';
import type { JsonSchema } from '../messages/index.ts';
import { keyedHash } from './keyed-hash.ts';

export const REDACTED = '[redacted]';
export const WITHHOLD = Symbol('withhold');

export interface TransformContext {
  recipient: string;
  pseudonymKey: Uint8Array;
}

/**
 * A keyed pseudonym, different per recipient, so that two recipients cannot link their records to
 * each other through the hub, while one recipient sees the same person under one pseudonym.
 */
export function pseudonym(key: Uint8Array, recipient: string, value: string): string {
  return 'pseud:' + keyedHash(key).update(recipient).update('\u0000').update(value).digest('base64url').slice(0, 32);
}

function generalise(value: unknown, schema: JsonSchema): unknown {
  const how = schema['x-generalise'];
  if (typeof value !== 'string') return WITHHOLD;
  if (how === 'year') return /^\d{4}/.test(value) ? value.slice(0, 4) : WITHHOLD;
  if (how === 'postcode-digits') return value.replace(/\D/g, '').slice(0, 4) || WITHHOLD;
  if (how === 'as-is') return value;
  return WITHHOLD;
}

/** Applies one transform to a leaf; WITHHOLD means the value cannot leave in that form. */
export function applyTransform(action: Transform, value: unknown, schema: JsonSchema, ctx: TransformContext): unknown {
  switch (action) {
    case 'keep':
      return value;
    case 'drop':
      return WITHHOLD;
    case 'redact':
      return REDACTED;
    case 'generalise':
      return generalise(value, schema);
    case 'pseudonymise':
      return value === null || typeof value === 'object' ? WITHHOLD : pseudonym(ctx.pseudonymKey, ctx.recipient, String(value));
  }
}
