import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MESSAGE_TYPES, payloadJsonSchema } from '../messages/index.ts';

const DOCUMENT = join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml');

/** `enrichment-request` → `EnrichmentRequestPayload`. */
export function payloadSchemaName(type: string): string {
  return type.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()) + 'Payload';
}

/**
 * The OpenAPI 3.1 document: the hand-written description of the endpoints in docs/openapi.yaml, with the
 * payload schemas generated from the zod schemas, so that the two can never disagree.
 */
export function openApiDocument(): Record<string, unknown> {
  const doc = parseYaml(readFileSync(DOCUMENT, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  for (const type of MESSAGE_TYPES) {
    const { $schema: _dialect, ...schema } = payloadJsonSchema(type);
    doc.components.schemas[payloadSchemaName(type)] = schema;
  }
  return doc;
}
