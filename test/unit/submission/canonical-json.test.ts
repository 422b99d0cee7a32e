import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { canonicalJson, writeCanonicalJson } from '../../../src/submission/canonical-json.ts';

const KEYS = ['zeta', 'alpha', 'Beta', 'éclair', '10', '9', 'a b', 'ümlaut'];
const LEAF = ['tekst met "aanhalingstekens", \\ en \n', 42, -0.5, true, null, 'ü€😀'];

/** Nested objects and arrays, the keys of each object inserted in the order `order` gives them. */
function nested(depth: number, order: (keys: string[]) => string[]): unknown {
  if (depth === 0) return LEAF;
  return Object.fromEntries(order(KEYS).map((k) => [k, k.length % 2 === 0 ? nested(depth - 1, order) : [nested(depth - 1, order), k]]));
}

describe('canonical JSON', () => {
  const forwards = nested(3, (k) => k);
  const backwards = nested(3, (k) => [...k].reverse());

  it('gives the same text for the same content whatever the order of its keys', () => {
    expect(JSON.stringify(backwards) === JSON.stringify(forwards)).toBe(false);
    expect(canonicalJson(backwards) === canonicalJson(forwards)).toBe(true);
  });

  it('is JSON that parses back to the same value', () => {
    expect(isDeepStrictEqual(JSON.parse(canonicalJson(forwards)), forwards)).toBe(true);
  });

  it('orders keys by UTF-16 code unit, integer-like keys as text, and keeps the order of arrays', () => {
    expect(canonicalJson({ b: 1, '10': 2, a: [3, 1, 2], '9': { y: null, x: 'é' }, B: true })).toBe('{"10":2,"9":{"x":"é","y":null},"B":true,"a":[3,1,2],"b":1}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });

  it('takes the text of a part it is told was rendered before, and renders the rest', () => {
    const part = { b: 2, a: 1 };
    const seen: object[] = [];
    const rendered = (value: object) => (seen.push(value), value === part ? '{"a":1,"b":2}' : undefined);
    expect(canonicalJson({ y: [part], x: part }, rendered)).toBe('{"x":{"a":1,"b":2},"y":[{"a":1,"b":2}]}');
    // Asked for the whole, the array and the part twice; never for what is inside the part.
    expect(seen).toHaveLength(4);
  });

  it('hands a hash the same text in pieces: long strings on their own, short parts gathered', () => {
    const long = 'lange tekst '.repeat(100);
    const value = { z: [long, 1, 2, 3], a: nested(2, (k) => k), m: long };
    const pieces: string[] = [];
    writeCanonicalJson(value, (piece) => pieces.push(piece));
    expect(pieces.join('')).toBe(canonicalJson(value));
    expect(pieces.filter((p) => p === JSON.stringify(long))).toHaveLength(2);
    expect(pieces.length).toBeLessThan(10);
  });

  it('refuses a value JSON has no text for, rather than writing "undefined"', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(TypeError);
  });
});
