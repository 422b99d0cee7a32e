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
