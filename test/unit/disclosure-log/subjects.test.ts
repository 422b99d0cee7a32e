import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../src/config/schema.ts';
import { subjectPseudonyms, subjectsIn } from '../../../src/disclosure-log/subjects.ts';
import { payloadJsonSchema, type MessageType } from '../../../src/messages/index.ts';
import { minimise } from '../../../src/minimisation/engine.ts';
import { familyCase } from '../../../src/simulator/cases.ts';

const KEY = new Uint8Array(32).fill(3);
const fixture = familyCase();
type Person = { personId: string; role: string; name: string; dateOfBirth: string; bsn: string };
const persons = fixture.minutes.persons as Person[];

function logged(type: MessageType, payload: Record<string, unknown>, rules: PolicyRule[]) {
  const { kept } = minimise(payload, payloadJsonSchema(type), { recipient: 'rvdk', rules }, KEY);
  return subjectsIn(payload, KEY)(kept);
}
const expected = (ps: Person[]) => ps.map((p) => ({ ...subjectPseudonyms(KEY, p), role: p.role }));

describe('the persons a disclosure is logged for', () => {
  it('are the persons a filtering policy let through, not those at the same positions', () => {
    const children = persons.filter((p) => p.role === 'child');
    expect(children.length).toBeGreaterThan(0);
    expect(persons.findIndex((p) => p.role === 'child')).toBeGreaterThan(0);
    const subjects = logged('minutes', fixture.minutes, [{ category: 'identification', action: 'keep' }, { path: '/persons', where: { field: 'role', in: ['child'] } }]);
    expect(subjects).toEqual(expected(children));
  });

  it('follow the persons of each agenda item when the items’ lists are filtered', () => {
    const [victim, , child1, child2] = persons as [Person, Person, Person, Person];
    const agenda = { ...fixture.agenda, items: [{ caseRef: 'VT-2026-000001', persons: [victim, child2], question: 'Eerste zaak?' }, ...(fixture.agenda.items as object[])] };
    const subjects = logged('agenda', agenda, [{ category: 'identification', action: 'keep' }, { path: '/items/*/persons', where: { field: 'role', in: ['child'] } }]);
    expect(subjects).toEqual(expected([child2, child1, child2]));
  });

  it('are nobody when the policy lets no person through, and everybody when it keeps the list', () => {
    expect(logged('minutes', fixture.minutes, [{ category: 'question', action: 'keep' }])).toEqual([]);
    expect(logged('minutes', fixture.minutes, [{ category: 'identification', action: 'keep' }])).toEqual(expected(persons));
  });
});
