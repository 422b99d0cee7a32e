import { randomUUID } from 'node:crypto';

/** Key types the bench measures: the development default, and the RSA size many organisations still use. */
export const KEY_TYPES = ['curve25519', 'rsa3072'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const QUESTION_MAX = 4000;
const ITEMS_MAX = 100;
/** Bytes of JSON one agenda item takes apart from its question and persons, and one person with every field long. */
const ITEM_BYTES = 4200;
const PERSON_BYTES = 700;

function person(item: number, n: number): Record<string, unknown> {
  const pad = (s: string, length: number) => s.padEnd(length, ' Benchmarkstraat').slice(0, length).trim();
  return {
    personId: `p${item}-${n}`,
    role: n === 0 ? 'child' : 'parent',
    name: pad(`Bench Persoon ${item}-${n}`, 190),
    dateOfBirth: `19${String(50 + (n % 50)).padStart(2, '0')}-0${1 + (item % 9)}-1${n % 10}`,
    bsn: String(100_000_000 + item * 100 + n),
    address: { street: pad(`Teststraat ${item}`, 190), houseNumber: `${n + 1}`, postcode: '3511 AB', municipality: pad('Utrecht', 90) },
  };
}

/**
 * An agenda of about `bytes` of JSON: the one message type whose schema lets a partner send a megabyte
 * (100 items, each up to 4000 characters of question and up to 50 persons). Large agendas therefore
 * name many persons, and each person is a disclosure log entry per recipient: that is part of the cost.
 */
export function agendaPayload(bytes: number): Record<string, unknown> {
  const items = Math.min(ITEMS_MAX, Math.max(1, Math.ceil(bytes / ITEM_BYTES)));
  const persons = Math.max(1, Math.ceil((bytes / items - ITEM_BYTES) / PERSON_BYTES));
  const build = (questionLength: number) => ({
    meetingDate: '2026-12-01',
    items: Array.from({ length: items }, (_, i) => ({
      caseRef: `BENCH-${i}`,
      persons: Array.from({ length: persons }, (_, n) => person(i, n)),
      question: 'Welke partner pakt welke interventie op? '.repeat(Math.ceil(questionLength / 41)).slice(0, questionLength),
    })),
  });
  const base = JSON.stringify(build(1)).length;
  return build(Math.min(QUESTION_MAX, Math.max(1, 1 + Math.floor((bytes - base) / items))));
}

export function agendaEnvelope(payload: Record<string, unknown>, recipients: string[]): Record<string, unknown> {
  return { messageId: randomUUID(), type: 'agenda', purpose: 'preparation', createdAt: new Date().toISOString(), caseRef: 'BENCH', recipients, payload };
}
