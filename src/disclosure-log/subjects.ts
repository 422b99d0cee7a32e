import { keyedHash } from '../minimisation/keyed-hash.ts';

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

const keyed = (key: Uint8Array, text: string) => keyedHash(key).update(text).digest('hex');

/** The log's pseudonyms of a person: the same person always gives the same pseudonyms under one key. */
export function subjectPseudonyms(key: Uint8Array, person: PersonIdentity): Omit<Subject, 'role'> {
  return {
    ...(person.bsn ? { bsn: keyed(key, `log-subject:bsn:${person.bsn}`) } : {}),
    ...(person.name && person.dateOfBirth ? { nameDob: keyed(key, `log-subject:name-dob:${normaliseName(person.name)}|${person.dateOfBirth}`) } : {}),
  };
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
/** The objects of a list with their index in it. */
const entries = (v: unknown): [number, Json][] => (Array.isArray(v) ? [...v.entries()].filter((e): e is [number, Json] => isJson(e[1])) : []);

/** Where a payload lists persons, each list with its JSON Pointer: `persons`, and per agenda item `items[].persons`. */
function personLists(payload: Json): { at: string; persons: [number, Json][] }[] {
  return [{ at: '/persons', persons: entries(payload.persons) }, ...entries(payload.items).map(([j, item]) => ({ at: `/items/${j}/persons`, persons: entries(item.persons) }))];
}

/**
 * The persons a recipient's view concerns, given the minimisation's `kept`: those of the sender's
 * payload whose element the policy let into the view. `kept` records which input elements of each list
 * survived, since a filtered list no longer lines up with the input and a policy may pseudonymise
 * `personId`. Every person's pseudonyms (two HMACs) are computed once per message, not per recipient.
 */
export function subjectsIn(payload: Json, key: Uint8Array): (kept: Record<string, number[]>) => Subject[] {
  const lists = personLists(payload).map(({ at, persons }) => ({
    at,
    subjects: persons.map(([i, person]) => [i, { ...subjectPseudonyms(key, person as PersonIdentity), role: String(person.role ?? 'other') }] as const),
  }));
  return (kept) =>
    lists.flatMap(({ at, subjects }) => {
      const survived = new Set(kept[at] ?? []);
      return subjects.filter(([i]) => survived.has(i)).map(([, subject]) => ({ ...subject }));
    });
}

/** The persons named in minutes' informing entries, by their personId in that payload. */
export function personsById(payload: Json): Map<string, Json> {
  return new Map(personLists(payload).flatMap(({ persons }) => persons.map(([, p]) => [String(p.personId), p] as const)));
}
