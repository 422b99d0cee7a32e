import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EnvelopeSchema, MESSAGE_TYPES, payloadJsonSchema, validateEnvelope, type JsonSchema, type MessageType } from '../../../src/messages/index.ts';
import { sample } from '../payload-samples.ts';
import { expectProblem, Problems, submission, type HostileCase } from './types.ts';

type Json = Record<string, unknown>;
type Seal = (plaintext: string) => Promise<string>;

interface Field {
  pointer: string;
  schema: JsonSchema;
}

/** Every property and array element of a schema, as JSON Pointers into a sample (element 0 of arrays). */
function fields(schema: JsonSchema, pointer = ''): Field[] {
  const out: Field[] = [];
  if (schema.type === 'object') {
    for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      out.push({ pointer: `${pointer}/${key}`, schema: sub }, ...fields(sub, `${pointer}/${key}`));
    }
  } else if (schema.type === 'array') {
    const items = schema.items as JsonSchema;
    out.push({ pointer: `${pointer}/0`, schema: items }, ...fields(items, `${pointer}/0`));
  }
  return out;
}

/** Values of every JSON type but the field's own, one per case, rotating so each field gets two. */
const WRONG: Record<string, unknown[]> = {
  string: [42, null, ['tekst'], { value: 'tekst' }, true],
  boolean: ['true', 1, null, [true], {}],
  array: ['tekst', { 0: 'tekst' }, null, 7, false],
  object: [[], 'tekst', null, 3, true],
};

function setAt(root: Json, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, root);
  parent[last] = value;
}

function envelopeFor(type: MessageType, payload: unknown): Json {
  const purpose = { submission: 'intake', agenda: 'preparation', 'enrichment-request': 'enrichment', 'enrichment-answer': 'enrichment', minutes: 'execution', feedback: 'feedback' }[type];
  return { messageId: randomUUID(), type, purpose, createdAt: new Date().toISOString(), caseRef: 'VT-2026-000123', recipients: ['vt'], payload };
}

/**
 * Wrong types in every field of every message type's envelope and payload, walked from the zod
 * schemas of src/messages, and an unknown field in every object. Each must be refused with 422
 * naming the field.
 */
export async function schemaCases(seal: Seal): Promise<HostileCase[]> {
  const cases: Promise<HostileCase>[] = [];
  let rotation = 0;
  const add = (name: string, envelope: Json, pointer: string) => cases.push(seal(JSON.stringify(envelope)).then((body) => submission(name, body, expectProblem(Problems.schemaViolation, pointer))));
  const spoil = (type: MessageType, base: () => Json, prefix: string, all: Field[]) => {
    for (const { pointer, schema } of all) {
      const wrong = WRONG[schema.type as string]!;
      for (let i = 0; i < 2; i++) {
        const value = wrong[rotation++ % wrong.length];
        const e = base();
        setAt(e, prefix + pointer, value);
        add(`${type}: ${prefix}${pointer} = ${JSON.stringify(value)}`, e, prefix + pointer);
      }
      if (schema.type === 'object') {
        const e = base();
        setAt(e, `${prefix}${pointer}/unexpected`, 'tekst');
        add(`${type}: unknown field in ${prefix}${pointer}`, e, prefix + pointer);
      }
    }
  };
  for (const type of MESSAGE_TYPES) {
    const schema = payloadJsonSchema(type);
    const base = () => envelopeFor(type, sample(schema));
    validateEnvelope(base()); // a generator whose sample is invalid would prove nothing
    spoil(type, base, '/payload', fields(schema));
    const e = base();
    (e.payload as Json).unexpected = 'tekst';
    add(`${type}: unknown field in the payload`, e, '/payload');
  }
  const envelopeSchema = z.toJSONSchema(EnvelopeSchema) as JsonSchema;
  const base = () => envelopeFor('submission', sample(payloadJsonSchema('submission')));
  spoil('submission', base, '', fields(envelopeSchema).filter((f) => !f.pointer.startsWith('/payload/')));
  const e = base();
  e.unexpected = 'tekst';
  add('envelope: unknown field', e, '');
  return Promise.all(cases);
}
