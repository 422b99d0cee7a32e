import type { InformingRecord } from './types.ts';
import { personsById, subjectPseudonyms, type PersonIdentity } from './subjects.ts';

type Json = Record<string, unknown>;

/** From minutes, per person: told of the meeting (when, by whom), postponed (why, until when) or undecided. */
export function informingOf(message: { type: string; caseRef: string; messageId: string; payload: Json }, key: Uint8Array, recordedAt: string): InformingRecord[] {
  if (message.type !== 'minutes' || !Array.isArray(message.payload.informing)) return [];
  const persons = personsById(message.payload);
  return (message.payload.informing as Json[]).flatMap((i) => {
    const person = persons.get(String(i.personId));
    if (!person) return [];
    const opt = (k: string) => (typeof i[k] === 'string' ? { [k]: i[k] as string } : {});
    return [
      {
        caseRef: message.caseRef,
        subject: subjectPseudonyms(key, person as PersonIdentity),
        role: String(person.role ?? 'other'),
        status: i.status as InformingRecord['status'],
        ...opt('by'),
        ...opt('on'),
        // The reason is free text about the person: the log keeps only that one was given.
        ...(typeof i.reason === 'string' ? { reasonGiven: true } : {}),
        ...opt('reviewDate'),
        messageId: message.messageId,
        recordedAt,
      },
    ];
  });
}

/** Overdue: postponed past its review date, or still undecided `decisionDays` after the minutes. */
export function isOverdue(r: InformingRecord, today: string, decisionDays: number): boolean {
  if (r.status === 'postponed') return r.reviewDate === undefined || r.reviewDate < today;
  if (r.status === 'undecided') return Date.parse(r.recordedAt) + decisionDays * 86_400_000 < Date.parse(today);
  return false;
}
