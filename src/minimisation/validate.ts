import type { Policy } from '../config/schema.ts';
import type { FieldError } from '../errors/problem.ts';
import { CORE_CATEGORIES, payloadJsonSchema } from '../messages/index.ts';
import { parsePattern, patternEquals } from './paths.ts';
import { schemaNodes } from './schema-walk.ts';

/** Names every rule of a policy that refers to a category or field that the message types do not have. */
export function policyProblems(policy: Policy, extraCategories: readonly string[] = []): FieldError[] {
  const categories = new Set<string>([...CORE_CATEGORIES, ...extraCategories]);
  const nodes = policy.messageTypes.flatMap((type) => schemaNodes(payloadJsonSchema(type)));
  const problems: FieldError[] = [];
  policy.rules.forEach((rule, i) => {
    const at = `rules.${i}`;
    if ('category' in rule) {
      if (!categories.has(rule.category)) problems.push({ path: at, message: `unknown category ${rule.category}` });
      return;
    }
    const pattern = parsePattern(rule.path);
    const matches = nodes.filter((n) => patternEquals(pattern, n.path));
    if (matches.length === 0) {
      problems.push({ path: at, message: `no field ${rule.path} in ${policy.messageTypes.join(', ')}` });
    } else if ('where' in rule) {
      const arrays = matches.filter((n) => n.kind === 'array');
      if (arrays.length === 0) problems.push({ path: at, message: `${rule.path} is not a list, so it cannot be filtered by element` });
      else if (!arrays.some((n) => n.properties.includes(rule.where.field))) {
        problems.push({ path: at, message: `the elements of ${rule.path} have no field ${rule.where.field}` });
      }
    }
  });
  return problems;
}

/**
 * Names what makes a policy unusable beside the others in force: an unknown recipient, or a
 * recipient, purpose and type that another policy already covers (which one applies would be luck).
 */
export function policyPlacementProblems(policy: Policy, others: readonly Policy[], partnerIds: ReadonlySet<string>): FieldError[] {
  if (!partnerIds.has(policy.recipient)) return [{ path: 'recipient', message: `unknown partner ${policy.recipient}` }];
  const problems: FieldError[] = [];
  policy.messageTypes.forEach((type, i) => {
    const other = others.find((o) => o.id !== policy.id && o.recipient === policy.recipient && o.purpose === policy.purpose && (o.messageTypes as string[]).includes(type));
    if (other) problems.push({ path: `messageTypes.${i}`, message: `${policy.recipient}/${policy.purpose}/${type} is already covered by policy ${other.id}` });
  });
  return problems;
}
