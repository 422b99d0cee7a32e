import { HubProblem, Problems } from '../errors/problem.ts';

/**
 * The first string (key or value) in a parsed JSON value that is not well-formed Unicode: JSON's
 * `\ud800` escapes can encode lone surrogates that no UTF-8 reader downstream could represent, so
 * the recipient would see other text than the sender signed. Iterative, because the input is hostile
 * and may nest deeper than the call stack.
 */
function illFormedString(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!next.isWellFormed()) return next;
    } else if (next !== null && typeof next === 'object') {
      for (const [key, inner] of Object.entries(next)) pending.push(key, inner);
    }
  }
  return undefined;
}

/** The decrypted plaintext as JSON of well-formed Unicode, or a `malformed-json` problem. */
export function parsePlaintextJson(plaintext: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    throw new HubProblem(Problems.malformedJson, 'The decrypted plaintext is not valid JSON');
  }
  if (illFormedString(parsed) !== undefined) {
    throw new HubProblem(Problems.malformedJson, 'The decrypted plaintext holds a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape)');
  }
  return parsed;
}
