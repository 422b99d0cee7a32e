import { compact, list, obj, rename, PERSON_NAMES } from '../fields.ts';
import type { PartnerAdapter } from '../types.ts';

/**
 * Veilig Thuis registers in Clavis: question, agreements and considerations go into the case file
 * (dossier); what partners brought to the meeting is enrichment, marked as known only at the meeting;
 * information not for the client goes into the contact journal with an alert on the case file.
 */
export const adapter: PartnerAdapter = {
  format: 'clavis-v1',
  map(delivery) {
    const p = delivery.payload;
    const notForClient = p.notForClient;
    return compact({
      dossier: compact({
        casusnummer: delivery.caseRef,
        vraag: p.question,
        betrokkenen: list(p.persons).map((person) => rename(person, PERSON_NAMES)),
        overwegingen: p.considerations,
        afspraken: list(obj(p.step2)?.interventions).map((i) => rename(i, { what: 'afspraak', partner: 'uitvoerder', how: 'werkwijze' })),
        casusbeschrijving: p.caseDescription,
        signaal: notForClient !== undefined ? 'Zie contactjournaal: informatie niet voor cliënt' : undefined,
      }),
      verrijking: compact({
        bekendAlleenUitOverleg: p.extraInformation !== undefined ? true : undefined,
        informatie: list(p.extraInformation).map((e) => rename(e, { from: 'bron', information: 'informatie' })),
        resultaten: list(p.results).map((r) => rename(r, { personId: 'ref', known: 'bekend', kind: 'soort' })),
      }),
      contactjournaal: notForClient !== undefined ? { nietVoorClient: notForClient } : undefined,
      terugkoppeling: list(p.actions).map((a) => rename(a, { action: 'actie', status: 'status', note: 'toelichting' })),
    });
  },
};
