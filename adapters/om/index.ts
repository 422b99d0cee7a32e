import { compact, list, obj, person, rename } from '../fields.ts';
import type { PartnerAdapter } from '../types.ts';

/** The public prosecution receives a case for the prosecutor (OvJ): suspects and the decisions asked of it. */
export const adapter: PartnerAdapter = {
  format: 'om-parket-v1',
  map(delivery) {
    const p = delivery.payload;
    const persons = list(p.persons).concat(list(p.items).flatMap((i) => list(i.persons)));
    return compact({
      parketDossier: { extern: delivery.caseRef, bericht: delivery.messageId },
      verdachten: persons.filter((x) => x.role === 'suspect').map(person),
      overigeBetrokkenen: persons.filter((x) => x.role !== 'suspect').map(person),
      vraag: p.question ?? list(p.items).map((i) => i.question),
      beslissingen: list(obj(p.step2)?.interventions).map((i) => rename(i, { what: 'beslissing', how: 'uitvoering' })),
      scenarios: list(obj(p.step2)?.scenarios).map((s) => rename(s, { trigger: 'bij', response: 'dan' })),
      strafrechtelijkeInformatie: p.criminalJustice,
    });
  },
};
