import { createHmac } from 'node:crypto';

/** A person a disclosure concerns, as the log knows them: keyed pseudonyms and a role, never a BSN or a name. */
export interface Subject {
  /** Pseudonym of the BSN, when the sender gave one. */
  bsn?: string;
  /** Pseudonym of name and date of birth, so that a person without a BSN can be found too. */
  nameDob?: string;
  role: string;
}

export interface PersonIdentity {
  bsn?: string | undefined;
  name?: string | undefined;
  dateOfBirth?: string | undefined;
}

/** Letters without accents, in lower case, single spaces: "José  de Vries" and "jose de vries" match. */
function normaliseName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const keyed = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest('hex');

/** The log's pseudonyms of a person: the same person always gives the same pseudonyms under one key. */
export function subjectPseudonyms(key: Uint8Array, person: PersonIdentity): Omit<Subject, 'role'> {
  return {
    ...(person.bsn ? { bsn: keyed(key, `log-subject:bsn:${person.bsn}`) } : {}),
    ...(person.name && person.dateOfBirth ? { nameDob: keyed(key, `log-subject:name-dob:${normaliseName(person.name)}|${person.dateOfBirth}`) } : {}),
  };
}

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as Json[]) : []);

/** Where a payload lists persons: `persons`, and per agenda item `items[].persons`. */
function personLists(payload: Json): Json[][] {
  return [list(payload.persons), ...list(payload.items).map((i) => list(i.persons))];
}

/**
 * The persons a recipient's view concerns: those of the sender's payload whose entry is still in the
 * view (matched by position within each list, since a policy may pseudonymise `personId`).
 */
export function subjectsOf(payload: Json, view: Json, key: Uint8Array): Subject[] {
  const sent = personLists(payload);
  const kept = personLists(view);
  const subjects: Subject[] = [];
  sent.forEach((persons, l) =>
    persons.forEach((person, i) => {
      if (!kept[l]?.[i]) return;
      subjects.push({ ...subjectPseudonyms(key, person as PersonIdentity), role: String(person.role ?? 'other') });
    }),
  );
  return subjects;
}

/** The persons named in minutes' informing entries, by their personId in that payload. */
export function personsById(payload: Json): Map<string, Json> {
  return new Map(personLists(payload).flat().map((p) => [String(p.personId), p]));
}
