import { describe, expect, it } from 'vitest';
import { checkJsonValues } from '../../../src/envelope/json-values.ts';
import { HubProblem } from '../../../src/errors/problem.ts';

const refuses = (text: string, max: number) => {
  try {
    checkJsonValues(text, max);
    return false;
  } catch (err) {
    if (err instanceof HubProblem && err.kind.slug === 'too-large') return true;
    throw err;
  }
};

describe('checkJsonValues', () => {
  it('counts the values below the top, up to the limit and not beyond', () => {
    const text = JSON.stringify({ a: [1, 2, 3], b: { c: [] } }); // a, 1, 2, 3, b, c: 6 values
    expect(refuses(text, 6)).toBe(false);
    expect(refuses(text, 5)).toBe(true);
    expect(refuses('{ "a" : [ ] , "b" : { } }', 2)).toBe(false);
    expect(refuses('{ "a" : [ ] , "b" : { } }', 1)).toBe(true);
    expect(refuses('[' + '{},'.repeat(999) + '{}]', 1000)).toBe(false);
    expect(refuses('[' + '{},'.repeat(1000) + '{}]', 1000)).toBe(true);
  });

  it('does not count brackets and commas inside strings, escaped quotes and backslashes included', () => {
    const inString = JSON.stringify({ text: '[{,}],'.repeat(1000), quoted: 'say "[,]" \\', tail: '\\\\",[' });
    expect(refuses(inString, 3)).toBe(false);
    expect(refuses(inString, 2)).toBe(true);
  });

  it('treats an unterminated string as running to the end', () => {
    expect(refuses('["abc,[,[,[', 1)).toBe(false);
    expect(refuses('["abc,[,[,[', 0)).toBe(true);
  });
});
