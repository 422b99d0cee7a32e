import { expectProblem, Problems, submission, type HostileCase } from './types.ts';

type Json = Record<string, unknown>;
type Seal = (plaintext: string | Uint8Array) => Promise<string>;

const malformedJson = expectProblem(Problems.malformedJson);
const schema = (path: string) => expectProblem(Problems.schemaViolation, path);

/** The object at a JSON Pointer of a (deep-copied) envelope, where a hostile key is planted. */
function at(root: Json, pointer: string): Json {
  return pointer.split('/').slice(1).reduce<Json>((node, key) => node[key] as Json, root);
}

/** Adds an own enumerable property, even one named `__proto__`, which plain assignment would not create. */
function plant(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function nestedObjects(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** UTF-8 bytes of the envelope with `bytes` spliced into the caseRef value. */
function withBytesInCaseRef(envelope: Json, bytes: number[]): Uint8Array {
  const text = Buffer.from(JSON.stringify({ ...envelope, caseRef: 'VT-@@' }), 'utf8');
  const hole = text.indexOf('@@');
  return Buffer.concat([text.subarray(0, hole), Buffer.from(bytes), text.subarray(hole + 2)]);
}

/**
 * Valid OpenPGP around hostile plaintext: invalid JSON, JSON that is not an object, invalid UTF-8,
 * lone surrogates, deep nesting, huge strings and arrays, and keys such as `__proto__`.
 * `valid()` gives a fresh valid envelope of a submission, `seal` signs and encrypts as the sender.
 */
export async function plaintextCases(valid: () => Json, seal: Seal): Promise<HostileCase[]> {
  const cases: Promise<HostileCase>[] = [];
  const add = (name: string, plaintext: string | Uint8Array, expected = malformedJson) =>
    cases.push(seal(plaintext).then((body) => submission(name, body, expected)));
  const text = () => JSON.stringify(valid());

  for (const [name, broken] of [
    ['empty plaintext', ''],
    ['whitespace only', ' \n\t '],
    ['an opening brace', '{'],
    ['truncated JSON', text().slice(0, 60)],
    ['a trailing comma', text().replace(/}$/, ',}')],
    ['single-quoted strings', text().replaceAll('"', "'")],
    ['unquoted keys', text().replace('"messageId"', 'messageId')],
    ['NaN', 'NaN'],
    ['undefined', 'undefined'],
    ['two byte-order marks before the JSON', '\ufeff\ufeff' + text()],
    ['garbage after the JSON', text() + 'garbage'],
    ['two JSON documents', text() + text()],
    ['a comment', '/* hi */' + text()],
    ['a leading-zero number', text().replace(/}$/, ',"n":01}')],
    ['a raw newline inside a string', text().replace('"caseRef":"', '"caseRef":"line\nbreak')],
    ['a NUL character', '\u0000' + text()],
    ['an unterminated string', '{"messageId":"abc'],
    ['an invalid escape', text().replace('"caseRef":"', '"caseRef":"\\x41')],
  ] as const) add(`invalid JSON: ${name}`, broken);

  for (const notObject of ['null', '42', '"text"', 'true', '[]', `[${text()}]`]) add(`JSON that is not an object: ${notObject.slice(0, 20)}`, notObject, schema(''));

  for (const [name, bytes] of [
    ['0xFF', [0xff]],
    ['0xFE', [0xfe]],
    ['a lone continuation byte', [0x80]],
    ['an overlong NUL', [0xc0, 0x80]],
    ['an overlong slash', [0xe0, 0x80, 0xaf]],
    ['a truncated two-byte sequence', [0xc3]],
    ['a truncated three-byte sequence', [0xe2, 0x82]],
    ['a CESU-8 high surrogate', [0xed, 0xa0, 0x80]],
    ['a CESU-8 low surrogate', [0xed, 0xbf, 0xbf]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a five-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ] as const) add(`invalid UTF-8: ${name}`, withBytesInCaseRef(valid(), [...bytes]));
  add('invalid UTF-8: the JSON in UTF-16', Buffer.from(text(), 'utf16le'));
  add('invalid UTF-8: the JSON in Latin-1 with an accented name', Buffer.from(text().replace('"caseRef":"', '"caseRef":"Zoë '), 'latin1'));

  for (const [name, escape] of [
    ['a lone high surrogate', '\\ud800'],
    ['a lone low surrogate', '\\udfff'],
    ['a reversed surrogate pair', '\\udc00\\ud800'],
    ['a high surrogate followed by text', '\\ud83dx'],
  ] as const) {
    add(`lone surrogate in caseRef: ${name}`, text().replace('"caseRef":"', `"caseRef":"${escape}`));
    add(`lone surrogate in a payload name: ${name}`, text().replace('"name":"', `"name":"${escape}`));
  }
  add('lone surrogate in a payload key', text().replace('"payload":{', '"payload":{"\\ud800":1,'));

  for (const [name, character] of [
    ['NUL', '\u0000'],
    ['a newline', '\n'],
    ['an escape sequence', '\u001b[2J'],
    ['a right-to-left override', '\u202e'],
    ['a zero-width space', '\u200b'],
    ['a C1 control', '\u0085'],
  ] as const) {
    const e = valid();
    e.caseRef = `VT-2026${character}-000123`;
    add(`caseRef with ${name}`, JSON.stringify(e), schema('/caseRef'));
  }

  add('90 000 nested arrays as the plaintext', nestedArrays(90_000), schema(''));
  add('90 000 nested arrays as caseRef', text().replace('"caseRef":', `"caseRef":${nestedArrays(90_000)},"x":`), schema('/caseRef'));
  add('200 000 nested arrays as caseRef', text().replace('"caseRef":', `"caseRef":${nestedArrays(200_000)},"x":`), expectProblem(Problems.tooLarge));
  add('50 000 nested objects in the payload', text().replace('"payload":{', `"payload":{"deep":${nestedObjects(50_000)},`), schema('/payload'));
  add('50 000 nested objects as a person’s address', text().replace('"address":', `"address":${nestedObjects(50_000)},"x":`), schema('/payload/persons/0/address'));

  const huge = (name: string, change: (e: Json) => void, path: string) => {
    const e = valid();
    change(e);
    add(name, JSON.stringify(e), schema(path));
  };
  huge('a caseRef of one million characters', (e) => (e.caseRef = 'x'.repeat(1_000_000)), '/caseRef');
  huge('a case description one character too long', (e) => ((e.payload as Json).caseDescription = 'x'.repeat(10_001)), '/payload/caseDescription');
  huge('a case description of two million characters', (e) => ((e.payload as Json).caseDescription = 'x'.repeat(2_000_000)), '/payload/caseDescription');
  huge('90 000 persons', (e) => ((e.payload as Json).persons = Array.from({ length: 90_000 }, () => 1)), '/payload/persons');
  add('200 000 persons', JSON.stringify({ ...valid(), payload: { persons: Array.from({ length: 200_000 }, () => ({})) } }), expectProblem(Problems.tooLarge));
  huge('10 000 recipients', (e) => (e.recipients = Array.from({ length: 10_000 }, () => 'vt')), '/recipients');
  huge('a key of 200 000 characters', (e) => ((e.payload as Json)['k'.repeat(200_000)] = 1), '/payload');
  huge('20 000 unknown keys', (e) => Object.assign(e.payload as Json, Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))), '/payload');
  huge('50 invalid persons with every field wrong', (e) => ((e.payload as Json).persons = Array.from({ length: 50 }, () => ({ personId: 1, role: 2, name: 3, dateOfBirth: 4, bsn: 5, address: 6 }))), '/payload/persons/0/address');

  const prototypeKeys: [string, unknown][] = [
    ['__proto__', { polluted: true, urgent: true }],
    ['constructor', { prototype: { polluted: true } }],
    ['prototype', { polluted: true }],
    ['toString', 'not a function'],
    ['hasOwnProperty', 1],
  ];
  for (const [key, value] of prototypeKeys) {
    for (const pointer of ['', '/payload', '/payload/submitter', '/payload/persons/0', '/payload/persons/0/address', '/payload/criteria']) {
      const e = valid();
      plant(pointer === '' ? e : at(e, pointer), key, value);
      add(`key ${key} at ${pointer || 'the top'}`, JSON.stringify(e), schema(pointer));
    }
  }
  const e = valid();
  const payload = e.payload;
  e.payload = {};
  plant(e.payload as Json, '__proto__', payload);
  add('a valid payload hidden under __proto__', JSON.stringify(e), schema('/payload'));
  return Promise.all(cases);
}
