import { compact, list, obj, person, rename } from '../fields.ts';
import type { PartnerAdapter } from '../types.ts';

/** The Child Protection Board receives children and parents, and the agreements it is to carry out. */
export const adapter: PartnerAdapter = {
  format: 'rvdk-zaak-v1',
  map(delivery) {
    const p = delivery.payload;
    const persons = list(p.persons).concat(list(p.items).flatMap((i) => list(i.persons)));
    return compact({
      aanleiding: { kenmerk: delivery.caseRef, doel: delivery.purpose },
      kinderen: persons.filter((x) => x.role === 'child').map(person),
      gezaghebbenden: persons.filter((x) => x.role === 'parent').map(person),
      overigen: persons.filter((x) => x.role !== 'child' && x.role !== 'parent').map(person),
      vraag: p.question,
      opdrachten: list(obj(p.step2)?.interventions).map((i) => rename(i, { what: 'opdracht', how: 'werkwijze' })),
    });
  },
};
