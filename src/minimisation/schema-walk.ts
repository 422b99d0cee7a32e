import type { JsonSchema } from '../messages/index.ts';

/** Helpers to follow a JSON Schema (as generated from the zod payload schemas) along a data path. */
export function asSchema(value: unknown): JsonSchema | undefined {
  return value !== null && typeof value === 'object' ? (value as JsonSchema) : undefined;
}

function alternatives(schema: JsonSchema): JsonSchema[] {
  const alts = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  return alts ? alts.map(asSchema).filter((s): s is JsonSchema => s !== undefined) : [schema];
}

export function propertySchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  for (const alt of alternatives(schema)) {
    const props = asSchema(alt.properties);
    if (props && Object.hasOwn(props, key)) return asSchema(props[key]);
  }
  return undefined;
}

export function itemSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  for (const alt of alternatives(schema)) if (alt.items) return asSchema(alt.items);
  return undefined;
}

export function categoryOf(schema: JsonSchema | undefined, inherited: string | undefined): string | undefined {
  const own = schema?.['x-category'];
  return typeof own === 'string' ? own : inherited;
}

export interface SchemaNode {
  /** Segments, with `*` for array items. */
  path: string[];
  kind: 'object' | 'array' | 'leaf';
  category: string | undefined;
  properties: string[];
}

/** Every node of a schema, for checking that a policy names only fields and categories that exist. */
export function schemaNodes(schema: JsonSchema, path: string[] = [], inherited?: string): SchemaNode[] {
  const category = categoryOf(schema, inherited);
  const items = itemSchema(schema);
  if (items) {
    const child = schemaNodes(items, [...path, '*'], category);
    const itemProps = child[0]?.kind === 'object' ? child[0].properties : [];
    return [{ path, kind: 'array', category, properties: itemProps }, ...child];
  }
  const props = alternatives(schema).flatMap((alt) => Object.keys(asSchema(alt.properties) ?? {}));
  if (props.length === 0) return [{ path, kind: 'leaf', category, properties: [] }];
  const nodes: SchemaNode[] = [{ path, kind: 'object', category, properties: props }];
  for (const key of props) {
    const sub = propertySchema(schema, key);
    if (sub) nodes.push(...schemaNodes(sub, [...path, key], category));
  }
  return nodes;
}
