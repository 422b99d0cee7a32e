import { compact, contact, list, obj, person, rename, type Json } from '../fields.ts';
import type { CanonicalDelivery, PartnerAdapter } from '../types.ts';

const ALERT = 'Zie contactjournaal: informatie niet voor cliënt';

/** Aanmelding: VT receives the whole submission (intake), so every field has its place in Clavis. */
function melding(p: Json, delivery: CanonicalDelivery): Json {
  const submitter = obj(p.submitter);
  const history = obj(p.knownHistory);
  const criteria = obj(p.criteria);
  return compact({
    melding: compact({
      inbrenger: compact({ organisatie: submitter?.organisation, contactpersoon: contact(submitter?.contactPerson) }),
      bronkenmerk: p.sourceReference,
      meldingskenmerkVT: p.vtReportReference,
      spoed: p.urgent,
      overleg: delivery.meeting && rename({ ...delivery.meeting }, { date: 'datum', startsAt: 'aanvang', cutOff: 'sluitingstijd', deferred: 'doorgeschoven', urgent: 'spoed' }),
      criteria: criteria && compact({ relevantVoor: criteria.relevantFor, factoren: criteria.factors }),
    }),
    historie: history && compact({ eerdereMeldingen: history.earlierReports, onderzoeken: history.investigations, hulpverlening: history.careInPlace }),
    casusbeschrijving: p.caseDescription,
    veiligheidszorg: p.safetyConcern,
    vermoedelijkeDelicten: p.suspectedOffences,
  });
}

/** Verslag: the question, agreements and considerations go into the case file (dossier). */
function verslag(p: Json): Json {
  const step1 = obj(p.step1);
  const step2 = obj(p.step2);
  const step3 = obj(p.step3);
  return compact({
    overlegdatum: p.meetingDate,
    zorg: step1?.biggestConcern,
    bestaandeVeiligheid: list(step1?.existingSafety).map((a) => rename(a, { what: 'afspraak', by: 'door' })),
    risicos: step1?.risks,
    afspraken: list(step2?.interventions).map((i) => rename(i, { what: 'afspraak', partner: 'uitvoerder', how: 'werkwijze' })),
    scenarios: list(step2?.scenarios).map((s) => rename(s, { trigger: 'bij', response: 'dan', partners: 'partners' })),
    regie: obj(step3?.direction) && rename(obj(step3?.direction), { partner: 'regiehouder', note: 'toelichting' }),
    monitoring: list(step3?.monitoring).map((m) => rename(m, { partner: 'wie', when: 'wanneer', what: 'wat' })),
    informeren: compact({ plan: step3?.informingPlan, partijen: step3?.partiesToInform }),
    overwegingen: p.considerations,
    betrokkenenGeinformeerd: list(p.informing).map((i) => rename(i, { personId: 'ref', status: 'status', by: 'door', on: 'op', reason: 'reden', reviewDate: 'herzien' })),
    terugInOverleg: obj(p.returnToMeeting) && rename(obj(p.returnToMeeting), { returns: 'terug', reason: 'reden' }),
    standaardzin: p.standardClause,
    strafrechtelijk: p.criminalJustice,
  });
}

/**
 * Veilig Thuis registers in Clavis (DOMAIN.md): question, agreements and considerations into the case
 * file (dossier); what partners brought to the meeting is enrichment marked as known only at the
 * meeting; information not for the client goes into the contact journal with an alert on the case file;
 * the confidential doctor's (vertrouwensarts) medical information has a section of its own.
 */
export const adapter: PartnerAdapter = {
  format: 'clavis-v1',
  map(delivery) {
    const p = delivery.payload;
    const notForClient = p.notForClient;
    return compact({
      dossier: compact({
        casusnummer: delivery.caseRef,
        soort: delivery.type,
        vraag: p.question,
        betrokkenen: list(p.persons).map(person),
        ...(delivery.type === 'submission' ? melding(p, delivery) : verslag(p)),
        signaal: notForClient !== undefined ? ALERT : undefined,
      }),
      verrijking: compact({
        bekendAlleenUitOverleg: p.extraInformation !== undefined ? true : undefined,
        informatie: list(p.extraInformation).map((e) => rename(e, { from: 'bron', information: 'informatie' })),
        vraagBericht: p.requestMessageId,
        resultaten: list(p.results).map((r) => compact({ ...rename(r, { personId: 'ref', known: 'bekend', kind: 'soort' }), contact: contact(r.contact) })),
      }),
      vertrouwensarts: p.medicalInformation !== undefined ? { medischeInformatie: p.medicalInformation } : undefined,
      contactjournaal: notForClient !== undefined ? { nietVoorClient: notForClient } : undefined,
      terugkoppeling: compact({
        verslagBericht: p.minutesMessageId,
        acties: list(p.actions).map((a) => rename(a, { action: 'actie', status: 'status', note: 'toelichting' })),
        opnieuwAgenderen: p.returnToMeeting === true ? true : undefined,
      }),
    });
  },
};
