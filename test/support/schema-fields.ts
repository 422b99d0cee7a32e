import type { JsonSchema } from '../../src/messages/index.ts';

/** Every property of a JSON Schema (through unions and array items) that carries no description. */
export function undescribed(schema: JsonSchema, path = ''): string[] {
  const out: string[] = [];
  const alternatives = [schema, ...((schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[])];
  for (const alt of alternatives) {
    for (const [key, sub] of Object.entries((alt.properties ?? {}) as Record<string, JsonSchema>)) {
      const variants = [sub, ...((sub.anyOf ?? []) as JsonSchema[])];
      if (!variants.some((v) => typeof v.description === 'string' && v.description.length > 0)) out.push(`${path}/${key}`);
      out.push(...undescribed(sub, `${path}/${key}`));
    }
    if (alt.items && typeof alt.items === 'object') out.push(...undescribed(alt.items as JsonSchema, `${path}/*`));
  }
  return out;
}
