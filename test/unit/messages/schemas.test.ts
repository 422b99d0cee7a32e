import { describe, expect, it } from 'vitest';
import { HubProblem } from '../../../src/errors/problem.ts';
import { CORE_CATEGORIES, MESSAGE_TYPES, payloadJsonSchema, validateEnvelope } from '../../../src/messages/index.ts';
import { schemaNodes } from '../../../src/minimisation/schema-walk.ts';
import { ALL_CASES, envelope } from '../../../src/simulator/cases.ts';
import { undescribed } from '../../support/schema-fields.ts';

function problemOf(input: unknown): HubProblem {
  try {
    validateEnvelope(input);
  } catch (err) {
    if (err instanceof HubProblem) return err;
  }
  throw new Error('expected a schema violation');
}

describe('message schemas', () => {
  it.each(MESSAGE_TYPES.map((t) => [t]))('gives every field of %s a known data category and a Dutch description', (type) => {
    const nodes = schemaNodes(payloadJsonSchema(type)).filter((n) => n.path.length > 0);
    expect(nodes.length).toBeGreaterThan(3);
    for (const node of nodes) expect(CORE_CATEGORIES as readonly string[]).toContain(node.category);
    expect(undescribed(payloadJsonSchema(type))).toEqual([]);
  });

  it('accepts the fixtures of every case', () => {
    for (const build of ALL_CASES) {
      const c = build();
      expect(validateEnvelope(envelope('submission', 'intake', c.caseRef, c.submission)).type).toBe('submission');
      expect(validateEnvelope(envelope('minutes', 'execution', c.caseRef, c.minutes)).type).toBe('minutes');
      expect(validateEnvelope(envelope('agenda', 'preparation', c.caseRef, c.agenda)).type).toBe('agenda');
    }
  });

  it('refuses unknown fields and wrong types with the path of each', () => {
    const c = ALL_CASES[0]!();
    const p = problemOf(envelope('minutes', 'execution', c.caseRef, { ...c.minutes, question: 42, injected: 'x' }));
    expect(p.status).toBe(422);
    expect(p.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['/payload/question', '/payload']));
    expect(p.errors?.find((e) => e.path === '/payload')?.message).toMatch(/injected/);
  });

  it('names at most 50 errors and clips each, however much the input gets wrong', () => {
    const c = ALL_CASES[0]!();
    const persons = Array.from({ length: 40 }, () => ({ personId: 1, role: 2, name: 3 }));
    const many = problemOf(envelope('minutes', 'execution', c.caseRef, { ...c.minutes, persons }));
    expect(many.errors).toHaveLength(51);
    expect(many.errors?.at(-1)).toEqual({ path: '/payload', message: expect.stringMatching(/^and \d+ more errors$/) });

    const unknown = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknown${i}`, i]));
    const keys = problemOf(envelope('minutes', 'execution', c.caseRef, { ...c.minutes, ...unknown }));
    expect(keys.errors).toHaveLength(1);
    expect(keys.errors?.[0]?.message).toMatch(/^20000 unknown keys: unknown0, unknown1, .*…$/);
    expect(keys.errors?.[0]?.message.length).toBeLessThanOrEqual(300);
  });

  it('refuses a submission without its concrete question, naming the field', () => {
    const c = ALL_CASES[0]!();
    const { question: _q, ...withoutQuestion } = c.submission;
    expect(problemOf(envelope('submission', 'intake', c.caseRef, withoutQuestion)).errors?.map((e) => e.path)).toEqual(['/payload/question']);
  });

  it('refuses an envelope with an unknown type or a messageId that is not a UUID', () => {
    const p = problemOf({ ...envelope('minutes', 'execution', 'C', {}), type: 'gossip', messageId: 'one' });
    expect(p.errors?.map((e) => e.path).sort()).toEqual(['/messageId', '/type']);
  });
});
