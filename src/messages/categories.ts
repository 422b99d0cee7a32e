import { z } from 'zod';

/** The ten data categories of API.md; a region may add more in its configuration. */
export const CORE_CATEGORIES = [
  'identification',
  'contact',
  'question',
  'case-facts',
  'history',
  'medical',
  'criminal-justice',
  'safety-plan',
  'not-for-client',
  'process',
] as const;

export type CoreCategory = (typeof CORE_CATEGORIES)[number];

/**
 * Attaches the data category and the Dutch description that the served JSON Schema shows as
 * `x-category` and `description`; the minimisation engine reads the same annotations.
 */
export function tagged<T extends z.ZodType>(schema: T, category: CoreCategory | undefined, description: string): T {
  return schema.meta(category ? { 'x-category': category, description } : { description });
}

/** Marks how the `generalise` transform coarsens a value: a date to its year, a postcode to its digits. */
export function generalisable<T extends z.ZodType>(schema: T, how: 'year' | 'postcode-digits' | 'as-is'): T {
  const current = (z.globalRegistry.get(schema) ?? {}) as Record<string, unknown>;
  return schema.meta({ ...current, 'x-generalise': how });
}
