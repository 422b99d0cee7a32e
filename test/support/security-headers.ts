import { expect } from 'vitest';

/** What helmet sets on every answer, with the values the hub relies on. */
export const SECURITY_HEADERS: Record<string, RegExp> = {
  'strict-transport-security': /max-age=\d{7,}/,
  'x-content-type-options': /^nosniff$/,
  'content-security-policy': /default-src 'self'/,
  'x-frame-options': /^SAMEORIGIN$/,
  'referrer-policy': /^no-referrer$/,
  'cross-origin-opener-policy': /^same-origin$/,
  'cross-origin-resource-policy': /^same-origin$/,
  'x-dns-prefetch-control': /^off$/,
  'x-permitted-cross-domain-policies': /^none$/,
};

export function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(String(headers[name]), `${what}: ${name}`).toMatch(value);
  expect(headers['x-powered-by'], `${what}: x-powered-by`).toBeUndefined();
}

// Signs that an answer leaks the hub's insides: stack frames, file system paths, source file names.
const INTERNAL = [/\/work\//, /node_modules/, /\bat [\w.<>]+ \(/, /^\s*at /m, /\/(src|test)\/[\w/-]+\.ts/, /\b[\w-]+\.(ts|mjs|cjs):\d+/, /\/(home|root|tmp|usr)\//, /Error: .*\n/];

/** The signs of internal detail found in an answer's body. */
export function internalDetails(body: string): string[] {
  return INTERNAL.filter((re) => re.test(body)).map(String);
}
