import { compact, list, obj, person, rename } from '../fields.ts';
import type { PartnerAdapter } from '../types.ts';

/** Probation (3RO) receives the clients asked about and the supervision actions assigned to it. */
export const adapter: PartnerAdapter = {
  format: 'reclassering-3ro-v1',
  map(delivery) {
    const p = delivery.payload;
    return compact({
      verzoek: { kenmerk: delivery.caseRef, soort: delivery.type, doel: delivery.purpose },
      clienten: list(p.persons).map(person),
      vraag: p.question,
      toezichtacties: list(obj(p.step2)?.interventions).map((i) => rename(i, { what: 'actie', how: 'werkwijze' })),
      monitoring: list(obj(p.step3)?.monitoring).filter((m) => m.partner === 'reclassering').map((m) => rename(m, { when: 'wanneer', what: 'wat' })),
    });
  },
};
