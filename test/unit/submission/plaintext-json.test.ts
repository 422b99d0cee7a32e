import { describe, expect, it } from 'vitest';
import { HubProblem } from '../../../src/errors/problem.ts';
import { parsePlaintextJson } from '../../../src/submission/plaintext-json.ts';

function problemOf(text: string): string | undefined {
  try {
    parsePlaintextJson(text);
    return undefined;
  } catch (err) {
    return err instanceof HubProblem ? err.kind.slug : String(err);
  }
}

describe('parsePlaintextJson', () => {
  it('parses JSON of well-formed Unicode, surrogate pairs and NUL included', () => {
    expect(parsePlaintextJson('{"name":"Zo\\u00eb \\ud83d\\ude00","n":[1,{"x":"\\u0000"}]}')).toEqual({ name: 'Zoë 😀', n: [1, { x: '\u0000' }] });
  });

  it('refuses what is not JSON as malformed-json', () => {
    for (const text of ['', '{', '{"a":1,}', "{'a':1}", 'NaN']) expect(problemOf(text), text).toBe('malformed-json');
  });

  it('refuses a lone surrogate in any value or key, at any depth', () => {
    for (const text of ['"\\ud800"', '{"a":"x\\udfff"}', '{"\\udc00\\ud800":1}', '[[[{"a":["\\ud83d"]}]]]']) expect(problemOf(text), text).toBe('malformed-json');
  });

  it('walks a value nested deeper than the call stack without overflowing it', () => {
    const depth = 200_000;
    expect(problemOf('['.repeat(depth) + '"\\ud800"' + ']'.repeat(depth))).toBe('malformed-json');
    expect(problemOf('['.repeat(depth) + ']'.repeat(depth))).toBeUndefined();
  });
});
