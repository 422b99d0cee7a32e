import { compact, list, obj, rename, PERSON_NAMES } from '../fields.ts';
import type { PartnerAdapter } from '../types.ts';

/** The Child Protection Board receives children and parents, and the agreements it is to carry out. */
export const adapter: PartnerAdapter = {
  format: 'rvdk-zaak-v1',
  map(delivery) {
    const p = delivery.payload;
    const persons = list(p.persons).concat(list(p.items).flatMap((i) => list(i.persons)));
    return compact({
      aanleiding: { kenmerk: delivery.caseRef, doel: delivery.purpose },
      kinderen: persons.filter((x) => x.role === 'child').map((x) => rename(x, PERSON_NAMES)),
      gezaghebbenden: persons.filter((x) => x.role === 'parent').map((x) => rename(x, PERSON_NAMES)),
      overigen: persons.filter((x) => x.role !== 'child' && x.role !== 'parent').map((x) => rename(x, PERSON_NAMES)),
      vraag: p.question,
      opdrachten: list(obj(p.step2)?.interventions).map((i) => rename(i, { what: 'opdracht', how: 'werkwijze' })),
    });
  },
};
