import type { Policy, PolicyRule, Transform } from '../config/schema.ts';
import type { JsonSchema } from '../messages/index.ts';
import { parsePattern, patternCovers, patternEquals, pointer } from './paths.ts';
import { categoryOf, itemSchema, propertySchema } from './schema-walk.ts';
import { applyTransform, WITHHOLD, type TransformContext } from './transforms.ts';

export interface DisclosedField {
  path: string;
  category: string;
  transform: Transform;
}

export interface WithheldField {
  path: string;
  category: string;
}

/** What left and what stayed, leaf by leaf, in the paths of the input. Goes into the disclosure record. */
export interface Manifest {
  disclosed: DisclosedField[];
  withheld: WithheldField[];
}

export interface MinimisedView {
  view: Record<string, unknown>;
  manifest: Manifest;
  /**
   * Per array of the input (by its JSON Pointer there), the indices of the elements that are in the
   * view, in order: a filtered list no longer lines up with the input by position.
   */
  kept: Record<string, number[]>;
}

const UNCATEGORISED = 'uncategorised';
// When two rules of equal weight disagree, the stricter one wins.
const STRICTNESS: Transform[] = ['keep', 'generalise', 'pseudonymise', 'redact', 'drop'];

interface CompiledPolicy {
  byCategory: Map<string, Transform>;
  byPath: { pattern: string[]; action: Transform }[];
  filters: { pattern: string[]; field: string; allowed: Set<string> }[];
}

function stricter(a: Transform | undefined, b: Transform): Transform {
  return a === undefined || STRICTNESS.indexOf(b) > STRICTNESS.indexOf(a) ? b : a;
}

function compile(rules: PolicyRule[], recipient: string): CompiledPolicy {
  const compiled: CompiledPolicy = { byCategory: new Map(), byPath: [], filters: [] };
  for (const rule of rules) {
    if ('category' in rule) compiled.byCategory.set(rule.category, stricter(compiled.byCategory.get(rule.category), rule.action));
    else if ('action' in rule) compiled.byPath.push({ pattern: parsePattern(rule.path), action: rule.action });
    else {
      const allowed = new Set(rule.where.in.map((v) => (v === '$recipient' ? recipient : v)));
      compiled.filters.push({ pattern: parsePattern(rule.path), field: rule.where.field, allowed });
    }
  }
  return compiled;
}

/** A path rule beats a category rule; a longer path beats a shorter one. No rule: the field is withheld. */
function decide(policy: CompiledPolicy, path: string[], category: string): Transform | undefined {
  let best: { length: number; action: Transform } | undefined;
  for (const rule of policy.byPath) {
    if (!patternCovers(rule.pattern, path)) continue;
    if (!best || rule.pattern.length > best.length) best = { length: rule.pattern.length, action: rule.action };
    else if (rule.pattern.length === best.length) best.action = stricter(best.action, rule.action);
  }
  return best ? best.action : policy.byCategory.get(category);
}

function elementAllowed(element: unknown, filter: CompiledPolicy['filters'][number]): boolean {
  if (element === null || typeof element !== 'object') return false;
  const value = (element as Record<string, unknown>)[filter.field];
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => typeof v === 'string' && filter.allowed.has(v));
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

class Walker {
  readonly manifest: Manifest = { disclosed: [], withheld: [] };
  readonly kept: Record<string, number[]> = {};
  private readonly policy: CompiledPolicy;
  private readonly ctx: TransformContext;

  constructor(policy: CompiledPolicy, ctx: TransformContext) {
    this.policy = policy;
    this.ctx = ctx;
  }

  walk(value: unknown, schema: JsonSchema | undefined, path: string[], inherited: string | undefined): { value: unknown } | undefined {
    const category = categoryOf(schema, inherited) ?? UNCATEGORISED;
    if (Array.isArray(value) && value.length > 0) return this.walkArray(value, schema, path, category);
    if (isContainer(value)) return this.walkObject(value as Record<string, unknown>, schema, path, category);
    return this.walkLeaf(value, schema, path, category);
  }

  private walkArray(value: unknown[], schema: JsonSchema | undefined, path: string[], category: string): { value: unknown } | undefined {
    const filters = this.policy.filters.filter((f) => patternEquals(f.pattern, path));
    const items = itemSchema(schema);
    const out: unknown[] = [];
    const kept: number[] = [];
    value.forEach((element, i) => {
      const elementPath = [...path, String(i)];
      if (filters.every((f) => elementAllowed(element, f))) {
        const result = this.walk(element, items, elementPath, category);
        if (!result) return;
        out.push(result.value);
        kept.push(i);
      } else {
        this.withholdAll(element, items, elementPath, category);
      }
    });
    if (out.length === 0) return undefined;
    this.kept[pointer(path)] = kept;
    return { value: out };
  }

  private walkObject(value: Record<string, unknown>, schema: JsonSchema | undefined, path: string[], category: string): { value: unknown } | undefined {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const result = this.walk(child, propertySchema(schema, key), [...path, key], category);
      if (result) out[key] = result.value;
    }
    return Object.keys(out).length > 0 ? { value: out } : undefined;
  }

  private walkLeaf(value: unknown, schema: JsonSchema | undefined, path: string[], category: string): { value: unknown } | undefined {
    const action = schema ? decide(this.policy, path, category) : undefined;
    const out = action && schema ? applyTransform(action, value, schema, this.ctx) : WITHHOLD;
    if (out === WITHHOLD || action === undefined) {
      this.manifest.withheld.push({ path: pointer(path), category });
      return undefined;
    }
    this.manifest.disclosed.push({ path: pointer(path), category, transform: action });
    return { value: out };
  }

  private withholdAll(value: unknown, schema: JsonSchema | undefined, path: string[], inherited: string): void {
    const category = categoryOf(schema, inherited) ?? UNCATEGORISED;
    if (Array.isArray(value) && value.length > 0) {
      value.forEach((el, i) => this.withholdAll(el, itemSchema(schema), [...path, String(i)], category));
    } else if (isContainer(value)) {
      for (const [key, child] of Object.entries(value)) this.withholdAll(child, propertySchema(schema, key), [...path, key], category);
    } else {
      this.manifest.withheld.push({ path: pointer(path), category });
    }
  }
}

/**
 * Builds one recipient's view of a payload under a policy: default deny, down to the field and the
 * array element. Pure: the same input always gives the same view and manifest.
 */
export function minimise(
  payload: Record<string, unknown>,
  schema: JsonSchema,
  policy: Pick<Policy, 'rules' | 'recipient'>,
  pseudonymKey: Uint8Array,
): MinimisedView {
  const walker = new Walker(compile(policy.rules, policy.recipient), { recipient: policy.recipient, pseudonymKey });
  const result = walker.walk(payload, schema, [], undefined);
  const view = (result?.value ?? {}) as Record<string, unknown>;
  return { view, manifest: walker.manifest, kept: walker.kept };
}
