import { compact, list, obj, person, rename } from '../fields.ts';
import type { PartnerAdapter } from '../types.ts';

/** The police receive a case (zaak) with persons (betrokkenen) and the actions assigned to them (acties). */
export const adapter: PartnerAdapter = {
  format: 'politie-zaak-v1',
  map(delivery) {
    const p = delivery.payload;
    const items = list(p.items);
    return compact({
      registratie: { kenmerkVeiligThuis: delivery.caseRef, bericht: delivery.messageId, soort: delivery.type },
      overlegdatum: p.meetingDate,
      vraag: p.question,
      betrokkenen: list(p.persons).map(person),
      agenda: items.map((i) => compact({ kenmerk: i.caseRef, vraag: i.question, betrokkenen: list(i.persons).map(person) })),
      acties: list(obj(p.step2)?.interventions).map((i) => rename(i, { what: 'actie', how: 'werkwijze' })),
      scenarios: list(obj(p.step2)?.scenarios).map((s) => rename(s, { trigger: 'aanleiding', response: 'optreden' })),
      strafrechtelijk: p.criminalJustice,
    });
  },
};
