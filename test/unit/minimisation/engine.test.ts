import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../src/config/schema.ts';
import type { JsonSchema } from '../../../src/messages/index.ts';
import { minimise } from '../../../src/minimisation/engine.ts';
import { pseudonym, REDACTED } from '../../../src/minimisation/transforms.ts';

const KEY = new Uint8Array(32).fill(7);

const schema: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', 'x-category': 'identification' },
    bsn: { type: 'string', 'x-category': 'identification' },
    born: { type: 'string', format: 'date', 'x-category': 'identification', 'x-generalise': 'year' },
    address: {
      type: 'object',
      'x-category': 'contact',
      properties: { street: { type: 'string' }, postcode: { type: 'string', 'x-generalise': 'postcode-digits' }, city: { type: 'string', 'x-generalise': 'as-is' } },
    },
    secret: { type: 'string', 'x-category': 'not-for-client' },
    tasks: {
      type: 'array',
      'x-category': 'safety-plan',
      items: { type: 'object', properties: { what: { type: 'string' }, partner: { type: 'string' }, with: { type: 'array', items: { type: 'string' } } } },
    },
  },
};

const payload = {
  name: 'Anna',
  bsn: '999990019',
  born: '1988-03-14',
  address: { street: 'Lindelaan 14', postcode: '3512 AB', city: 'Utrecht' },
  secret: 'the neighbour reported',
  tasks: [
    { what: 'call', partner: 'politie', with: ['om'] },
    { what: 'visit', partner: 'vt', with: ['politie'] },
    { what: 'decide', partner: 'om', with: [] },
  ],
};

function run(rules: PolicyRule[], recipient = 'politie', input: Record<string, unknown> = payload) {
  return minimise(input, schema, { recipient, rules }, KEY);
}

describe('minimise', () => {
  it('withholds everything when no rule allows anything (default deny)', () => {
    const { view, manifest } = run([]);
    expect(view).toEqual({});
    expect(manifest.disclosed).toEqual([]);
    expect(manifest.withheld.map((w) => w.path)).toContain('/secret');
    expect(manifest.withheld).toHaveLength(16);
  });

  it('keeps the categories a rule allows and nothing else', () => {
    const { view, manifest } = run([{ category: 'identification', action: 'keep' }]);
    expect(view).toEqual({ name: 'Anna', bsn: '999990019', born: '1988-03-14' });
    expect(manifest.disclosed.map((d) => d.path).sort()).toEqual(['/born', '/bsn', '/name']);
    expect(manifest.withheld.find((w) => w.path === '/address/street')?.category).toBe('contact');
  });

  it('lets a path rule override a category rule, and a longer path override a shorter one', () => {
    const { view } = run([
      { category: 'identification', action: 'keep' },
      { path: '/bsn', action: 'drop' },
      { category: 'contact', action: 'drop' },
      { path: '/address', action: 'keep' },
      { path: '/address/street', action: 'redact' },
    ]);
    expect(view).toEqual({ name: 'Anna', born: '1988-03-14', address: { street: REDACTED, postcode: '3512 AB', city: 'Utrecht' } });
  });

  it('chooses the stricter action when two rules of equal weight disagree', () => {
    const { view } = run([
      { category: 'identification', action: 'keep' },
      { category: 'identification', action: 'redact' },
    ]);
    expect(view.name).toBe(REDACTED);
  });

  it('filters array elements by a field, with $recipient standing for the recipient', () => {
    const rules: PolicyRule[] = [
      { category: 'safety-plan', action: 'keep' },
      { path: '/tasks', where: { field: 'partner', in: ['$recipient'] } },
    ];
    const { view, manifest } = run(rules, 'om');
    expect(view.tasks).toEqual([{ what: 'decide', partner: 'om', with: [] }]);
    expect(manifest.withheld.map((w) => w.path)).toEqual(expect.arrayContaining(['/tasks/0/what', '/tasks/0/with/0', '/tasks/1/partner']));
  });

  it('matches a filter on a list field when any element is allowed', () => {
    const { view } = run([
      { category: 'safety-plan', action: 'keep' },
      { path: '/tasks', where: { field: 'with', in: ['$recipient'] } },
    ], 'politie');
    expect(view.tasks).toEqual([{ what: 'visit', partner: 'vt', with: ['politie'] }]);
  });

  it('generalises dates to the year and postcodes to digits, and withholds what cannot be generalised', () => {
    const { view, manifest } = run([
      { path: '/born', action: 'generalise' },
      { path: '/address', action: 'generalise' },
    ]);
    expect(view).toEqual({ born: '1988', address: { postcode: '3512', city: 'Utrecht' } });
    expect(manifest.withheld.map((w) => w.path)).toContain('/address/street');
    expect(manifest.disclosed.find((d) => d.path === '/born')?.transform).toBe('generalise');
  });

  it('pseudonymises with a keyed hash that differs per recipient and is stable for one recipient', () => {
    const rules: PolicyRule[] = [{ path: '/bsn', action: 'pseudonymise' }];
    const forPolice = run(rules, 'politie').view.bsn;
    const forOm = run(rules, 'om').view.bsn;
    expect(forPolice).toBe(pseudonym(KEY, 'politie', '999990019'));
    expect(forPolice).not.toBe(forOm);
    expect(String(forPolice)).not.toContain('999990019');
    expect(run(rules, 'politie').view.bsn).toBe(forPolice);
  });

  it('withholds fields that the schema does not know, whatever the rules say', () => {
    const { view, manifest } = run([{ category: 'identification', action: 'keep' }], 'politie', { name: 'A', injected: 'x' });
    expect(view).toEqual({ name: 'A' });
    expect(manifest.withheld).toEqual([{ path: '/injected', category: 'uncategorised' }]);
  });

  it('accounts for every leaf of the input exactly once', () => {
    const { manifest } = run([{ category: 'identification', action: 'keep' }, { path: '/tasks', where: { field: 'partner', in: ['vt'] } }, { category: 'safety-plan', action: 'keep' }]);
    const paths = [...manifest.disclosed, ...manifest.withheld].map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toHaveLength(16);
  });

  it('reports which input elements of each list are in the view, by their index in the input', () => {
    const { view, kept } = run([{ category: 'safety-plan', action: 'keep' }, { path: '/tasks', where: { field: 'partner', in: ['$recipient', 'om'] } }]);
    expect((view.tasks as { what: string }[]).map((t) => t.what)).toEqual(['call', 'decide']);
    expect(kept['/tasks']).toEqual([0, 2]);
    expect(kept['/tasks/0/with']).toEqual([0]);
    expect(kept['/tasks/1/with']).toBeUndefined();
    expect(run([]).kept).toEqual({});
  });
});
