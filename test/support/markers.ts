import { randomBytes } from 'node:crypto';
import { MESSAGE_TYPES, payloadJsonSchema, type JsonSchema } from '../../src/messages/index.ts';

/**
 * Every free-text field of every message type, read from the payload schemas: a string property (or
 * array of strings) without pattern, format or enum, with the shortest maxLength it has anywhere. A
 * name that is constrained in some schema is left out, so a marked payload stays valid.
 */
function freeTextFields(): Map<string, number> {
  const free = new Map<string, number>();
  const constrained = new Set<string>();
  const visit = (schema: JsonSchema, key: string | undefined) => {
    if (schema.type === 'object') {
      for (const [k, sub] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) visit(sub, k);
    } else if (schema.type === 'array') {
      visit(schema.items as JsonSchema, key);
    } else if (schema.type === 'string' && key) {
      if (schema.pattern || schema.format || schema.enum) constrained.add(key);
      else free.set(key, Math.min(free.get(key) ?? Infinity, Number(schema.maxLength ?? Infinity)));
    }
  };
  for (const type of MESSAGE_TYPES) visit(payloadJsonSchema(type), undefined);
  for (const key of constrained) free.delete(key);
  return free;
}

const FREE_TEXT = freeTextFields();

export interface Marked<T> {
  value: T;
  markers: string[];
}

/**
 * A deep copy of a payload with a unique marker in every free-text field (appended, or in place of the
 * value where the field is too short for both) and in every e-mail address and phone number: none of
 * them may ever be stored, queued or logged in clear. Hyphens keep a marker from occurring by chance
 * in base64 ciphertext.
 */
export function withMarkers<T>(payload: T, tag = randomBytes(4).toString('hex')): Marked<T> {
  const markers: string[] = [];
  const next = () => {
    const marker = `zz-mark-${tag}-${markers.length}`;
    markers.push(marker);
    return marker;
  };
  const mark = (value: string, key: string): string => {
    if (key === 'email') return `${next()}@example.org`;
    if (key === 'phone') {
      const phone = `+31 6 ${String(10_000_000 + (randomBytes(4).readUInt32BE() % 90_000_000))}`;
      markers.push(phone);
      return phone;
    }
    const max = FREE_TEXT.get(key);
    if (max === undefined) return value;
    const marker = next();
    return value.length + 1 + marker.length <= max ? `${value} ${marker}` : marker;
  };
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    if (typeof value === 'string' && key) return mark(value, key);
    return value;
  };
  return { value: walk(payload, undefined) as T, markers };
}

/** Every BSN in a payload: identifiers that must not be stored in clear either. */
export function bsnsIn(payload: unknown): string[] {
  return [...new Set(JSON.stringify(payload).match(/"bsn":"(\d{9})"/g)?.map((m) => m.slice(7, 16)) ?? [])];
}

/** Text with OpenPGP armour removed, so that digits in base64 ciphertext are not taken for a BSN. */
export function withoutArmour(text: string): string {
  return text.replace(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g, '[armour]');
}

/** The markers and identifiers that occur in a haystack. */
export function leaked(haystack: string, needles: string[]): string[] {
  const clean = withoutArmour(haystack);
  return needles.filter((n) => clean.includes(n));
}
