import { randomBytes } from 'node:crypto';

// Free-text and name fields in every message type: a marker appended to these must never be stored,
// queued or logged in clear. Hyphens keep a marker from occurring by chance in base64 ciphertext.
const FREE_TEXT = new Set([
  'name', 'caseDescription', 'question', 'medicalInformation', 'notForClient', 'safetyConcern', 'street',
  'what', 'how', 'trigger', 'response', 'information', 'considerations', 'criminalJustice', 'biggestConcern', 'reason',
]);

export interface Marked<T> {
  value: T;
  markers: string[];
}

/** A deep copy of a payload with a unique marker appended to every free-text field. */
export function withMarkers<T>(payload: T, tag = randomBytes(4).toString('hex')): Marked<T> {
  const markers: string[] = [];
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    if (typeof value === 'string' && key && FREE_TEXT.has(key)) {
      const marker = `zz-mark-${tag}-${markers.length}`;
      markers.push(marker);
      return `${value} ${marker}`;
    }
    return value;
  };
  return { value: walk(payload, undefined) as T, markers };
}

/** Every BSN in a payload: identifiers that must not be stored in clear either. */
export function bsnsIn(payload: unknown): string[] {
  return [...new Set(JSON.stringify(payload).match(/"bsn":"(\d{9})"/g)?.map((m) => m.slice(7, 16)) ?? [])];
}

/** Text with OpenPGP armour removed, so that digits in base64 ciphertext are not taken for a BSN. */
export function withoutArmour(text: string): string {
  return text.replace(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g, '[armour]');
}

/** The markers and identifiers that occur in a haystack. */
export function leaked(haystack: string, needles: string[]): string[] {
  const clean = withoutArmour(haystack);
  return needles.filter((n) => clean.includes(n));
}
