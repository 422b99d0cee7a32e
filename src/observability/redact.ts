/**
 * What a log line must never carry, whatever a caller passes: values under the names of content,
 * key and certificate fields, and any PEM block or OpenPGP armour inside any string, however deep,
 * error messages and stacks included. Pure; the logger applies it to every argument.
 */
export const REDACTED = '[redacted]';

// Compared without case, dashes or underscores, so `private_key`, `privateKey` and `PRIVATE-KEY` match.
const SECRET_FIELDS = new Set(
  [
    'body', 'payload', 'plaintext', 'ciphertext', 'armored', 'armoured', 'armoredKey', 'armoredMessage', 'key', 'keys',
    'privateKey', 'privateKeys', 'secretKey', 'pgpPrivateKey', 'keyPem', 'cert', 'certs', 'certPem', 'certificate', 'ca', 'pfx',
    'passphrase', 'password', 'secret', 'pseudonymKey', 'authorization', 'cookie', 'setCookie', 'view', 'envelope',
  ].map(normalise),
);

function normalise(name: string): string {
  return name.replace(/[-_]/g, '').toLowerCase();
}

// A PEM block (certificate, key) or OpenPGP armour (message, key, signature), also when its end was cut
// off, and also a multi-part message (`BEGIN PGP MESSAGE, PART 1/2`), whatever its label holds.
const ARMOUR = /-----BEGIN ([^\r\n-]{1,60})-----[\s\S]*?(?:-----END \1-----|$)/g;

export function redactText(text: string): string {
  return text.replace(ARMOUR, (_block, label: string) => `[redacted ${label.toLowerCase()}]`);
}

const MAX_DEPTH = 12;

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return REDACTED;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out.type = value.name;
      out.message = redactText(value.message);
      if (value.stack) out.stack = redactText(value.stack);
    }
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_FIELDS.has(normalise(k)) ? REDACTED : redactValue(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A copy of a log argument with secrets replaced; strings, objects, arrays and errors at any depth. */
export function redactSecrets(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}
