import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../src/config/schema.ts';
import { CORE_CATEGORIES, MESSAGE_TYPES, payloadJsonSchema, type JsonSchema } from '../../../src/messages/index.ts';
import { minimise } from '../../../src/minimisation/engine.ts';
import { schemaNodes, type SchemaNode } from '../../../src/minimisation/schema-walk.ts';
import { leaves } from '../../support/domain-table.ts';

/** A value shaped like the schema (with some unknown keys mixed in), so that rules and paths meet. */
function valueFor(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props && depth < 6) {
    const known = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fc.option(valueFor(s, depth + 1), { nil: undefined })]));
    return fc.tuple(fc.record(known), fc.dictionary(fc.constantFrom('x', 'injected', '__extra'), fc.string(), { maxKeys: 1 })).map(([a, b]) => {
      const out: Record<string, unknown> = { ...b };
      for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = v;
      return out;
    });
  }
  if (schema.items && depth < 6) return fc.array(valueFor(schema.items as JsonSchema, depth + 1), { maxLength: 3 });
  return fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('politie', 'om', 'vt', '1988-03-14', '3512 AB'), fc.integer(), fc.boolean());
}

function ruleFor(nodes: SchemaNode[]): fc.Arbitrary<PolicyRule> {
  const action = fc.constantFrom('keep', 'drop', 'redact', 'generalise', 'pseudonymise' as const);
  const arrays = nodes.filter((n) => n.kind === 'array' && n.properties.length > 0);
  const choices: fc.Arbitrary<PolicyRule>[] = [
    fc.record({ category: fc.constantFrom(...CORE_CATEGORIES), action }),
    fc.record({ path: fc.constantFrom(...nodes.filter((n) => n.path.length > 0).map((n) => '/' + n.path.join('/'))), action }),
  ];
  if (arrays.length > 0) {
    choices.push(
      fc.constantFrom(...arrays).chain((n) =>
        fc.record({
          path: fc.constant('/' + n.path.join('/')),
          where: fc.record({ field: fc.constantFrom(...n.properties), in: fc.array(fc.constantFrom('$recipient', 'om', 'vt'), { minLength: 1, maxLength: 2 }) }),
        }),
      ),
    );
  }
  return fc.oneof(...choices);
}

function covers(pattern: string, path: string): boolean {
  const p = pattern.split('/').slice(1);
  const q = path.split('/').slice(1);
  return p.length <= q.length && p.every((s, i) => s === '*' || s === q[i]);
}

describe.each(MESSAGE_TYPES.map((t) => [t]))('minimise over generated %s messages and policies', (type) => {
  const schema = payloadJsonSchema(type);
  const nodes = schemaNodes(schema);

  it('never discloses a leaf that no rule allows, and accounts for every input leaf exactly once', () => {
    fc.assert(
      fc.property(valueFor(schema), fc.array(ruleFor(nodes), { maxLength: 8 }), fc.constantFrom('politie', 'om', 'rvdk'), (payload, rules, recipient) => {
        const { view, manifest } = minimise(payload as Record<string, unknown>, schema, { recipient, rules }, new Uint8Array(32));
        const inputPaths = leaves(payload).map((l) => l.path);
        const accounted = [...manifest.disclosed, ...manifest.withheld].map((e) => e.path);
        expect(accounted.sort()).toEqual([...inputPaths].sort());
        for (const d of manifest.disclosed) {
          expect(d.transform).not.toBe('drop');
          const byPath = rules.some((r) => 'action' in r && 'path' in r && r.action !== 'drop' && covers(r.path, d.path));
          const byCategory = rules.some((r) => 'category' in r && r.category === d.category && r.action !== 'drop');
          expect(byPath || byCategory).toBe(true);
        }
        // The view holds exactly the disclosed leaves (arrays are compacted, so compare counts and shapes).
        const fold = (p: string) => p.replace(/\/\d+(?=\/|$)/g, '/*');
        expect(leaves(view).filter((l) => l.path !== '').map((l) => fold(l.path)).sort()).toEqual(manifest.disclosed.map((d) => fold(d.path)).sort());
      }),
      { numRuns: 150 },
    );
  });
});
