import { payloadJsonSchema, type MessageType } from '../../src/messages/index.ts';
import { schemaNodes } from '../../src/minimisation/schema-walk.ts';

/**
 * DOMAIN.md's table of purposes, written down here independently of config/policies, so that the
 * tests check the shipped policies against the domain and not against themselves.
 */
const ALL = ['identification', 'contact', 'question', 'case-facts', 'history', 'medical', 'criminal-justice', 'safety-plan', 'not-for-client', 'process'];
const IDENTIFY = ['identification', 'question', 'process'];
const EXECUTION_BASE = [...IDENTIFY, 'case-facts', 'safety-plan'];

export const ALLOWED: Record<string, Record<string, string[]>> = {
  intake: { vt: ALL },
  enrichment: { vt: ALL, rvdk: IDENTIFY, reclassering: IDENTIFY },
  preparation: { politie: IDENTIFY, om: IDENTIFY, rvdk: IDENTIFY, reclassering: IDENTIFY },
  execution: {
    politie: [...EXECUTION_BASE, 'criminal-justice'],
    om: [...EXECUTION_BASE, 'criminal-justice'],
    rvdk: EXECUTION_BASE,
    reclassering: EXECUTION_BASE,
  },
  feedback: { vt: ALL },
};

export function allowedCategories(purpose: string, recipient: string): string[] {
  return ALLOWED[purpose]?.[recipient] ?? [];
}

/** The data category of a concrete leaf path such as /persons/0/name, from the type's schema annotations. */
export function categoryAt(type: MessageType, path: string): string | undefined {
  const pattern = path.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? '*' : s)).join('/');
  return schemaNodes(payloadJsonSchema(type)).find((n) => n.path.join('/') === pattern)?.category;
}

/** Leaf values by JSON Pointer; an empty list or object counts as a leaf, as the engine counts it. */
export function leaves(value: unknown, prefix = ''): { path: string; value: unknown }[] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((v, i) => leaves(v, `${prefix}/${i}`));
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) return Object.entries(value).flatMap(([k, v]) => leaves(v, `${prefix}/${k}`));
  return [{ path: prefix, value }];
}

/**
 * Asserts what DOMAIN.md promises of one recipient's view: only allowed categories, only its own
 * interventions, only the scenarios that involve it; never not-for-client or medical outside VT.
 */
export function domainViolations(type: MessageType, purpose: string, recipient: string, view: Record<string, unknown>): string[] {
  const allowed = new Set(allowedCategories(purpose, recipient));
  const problems: string[] = [];
  for (const leaf of leaves(view)) {
    const category = categoryAt(type, leaf.path);
    if (!category || !allowed.has(category)) problems.push(`${leaf.path} (${category}) is not allowed for ${recipient}/${purpose}`);
    if (recipient !== 'vt' && (category === 'not-for-client' || category === 'medical')) problems.push(`${leaf.path} (${category}) must never reach ${recipient}`);
  }
  if (type === 'minutes') {
    const step2 = (view.step2 ?? {}) as { interventions?: { partner: string }[]; scenarios?: { partners: string[] }[] };
    for (const i of step2.interventions ?? []) if (i.partner !== recipient) problems.push(`${recipient} received an intervention of ${i.partner}`);
    for (const s of step2.scenarios ?? []) if (!s.partners.includes(recipient)) problems.push(`${recipient} received a scenario of ${s.partners.join('+')}`);
  }
  return problems;
}
