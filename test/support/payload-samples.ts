import { randomUUID } from 'node:crypto';
import type { JsonSchema } from '../../src/messages/index.ts';

// Valid strings for the patterns the schemas use; any other pattern fails loudly in sample().
const PATTERN_SAMPLES: [RegExp, string][] = [
  [/^\^\[a-z\]\[a-z0-9-\]/, 'politie'],
  [/\[A-Z\]\{2\}/, '3512 AB'],
  [/^\^\[0-9\]\{9\}\$$/, '999990019'],
  [/\[0-9 -\]/, '+31 30 123 4567'],
  [/^\^\[A-Za-z0-9_-\]\{1,40\}\$$/, 'p1'],
];

function sampleString(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return String(schema.enum[0]);
  switch (schema.format) {
    case 'uuid':
      return randomUUID();
    case 'date':
      return '2026-11-24';
    case 'date-time':
      return new Date().toISOString();
    case 'email':
      return 'iemand@example.org';
  }
  if (typeof schema.pattern === 'string') {
    const found = PATTERN_SAMPLES.find(([re]) => re.test(schema.pattern as string));
    if (!found) throw new Error(`no sample for pattern ${schema.pattern}`);
    return found[1];
  }
  return 'tekst';
}

/** A valid value for a JSON Schema with every optional property present, so that every field can be spoilt. */
export function sample(schema: JsonSchema): unknown {
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([k, s]) => [k, sample(s)]));
    case 'array':
      return [sample(schema.items as JsonSchema)];
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema);
    default:
      throw new Error(`no sample for schema type ${String(schema.type)}`);
  }
}
