import { randomUUID } from 'node:crypto';

/**
 * Realistic, fictional cases after the examples in the seeds' methodological guide (stalking, elder
 * abuse, criminal child abuse, a family with children). Names and BSNs are invented; the BSNs lie in
 * the range reserved for testing.
 */
type Role = 'victim' | 'suspect' | 'child' | 'parent' | 'other';

interface PersonSpec {
  personId: string;
  role: Role;
  name: string;
  dateOfBirth: string;
  bsn: string;
}

interface CaseSpec {
  caseRef: string;
  submitter: string;
  persons: PersonSpec[];
  description: string;
  question: string;
  factors: string[];
  medical?: string;
  interventions: { what: string; partner: string; how?: string }[];
  scenarios: { trigger: string; response: string; partners: string[] }[];
  extraInformation?: { from: string; information: string }[];
  notForClient?: string;
}

export interface CaseFixture {
  name: string;
  caseRef: string;
  submitter: string;
  submission: Record<string, unknown>;
  minutes: Record<string, unknown>;
  agenda: Record<string, unknown>;
}

const ADDRESS = { street: 'Lindelaan', houseNumber: '14', postcode: '3512 AB', municipality: 'Utrecht' };
const MEETING = '2026-11-24';

function persons(spec: CaseSpec) {
  return spec.persons.map((p, i) => (i === 0 ? { ...p, address: ADDRESS } : p));
}

function submission(spec: CaseSpec): Record<string, unknown> {
  return {
    submitter: { organisation: spec.submitter, contactPerson: { name: 'J. de Vries', phone: '+31 30 123 4567', email: 'j.devries@example.org' } },
    persons: persons(spec),
    caseDescription: spec.description,
    sourceReference: `MUT-2026-${spec.caseRef.slice(-4)}`,
    knownHistory: { earlierReports: ['Eerdere melding bij Veilig Thuis in 2025'], careInPlace: ['Wijkteam betrokken'] },
    ...(spec.medical ? { medicalInformation: spec.medical } : {}),
    suspectedOffences: ['Mishandeling (art. 300 Sr)'],
    question: spec.question,
    safetyConcern: 'Betrokkenen durven geen aangifte te doen.',
    criteria: { relevantFor: ['vt', 'politie', 'om'], factors: spec.factors },
    urgent: false,
    ...(spec.submitter !== 'vt' ? { vtReportReference: `VT-MELD-${spec.caseRef.slice(-4)}` } : {}),
  };
}

function minutes(spec: CaseSpec): Record<string, unknown> {
  return {
    meetingDate: MEETING,
    question: spec.question,
    persons: persons(spec),
    step1: {
      biggestConcern: 'Verdere escalatie van geweld als er niets verandert.',
      existingSafety: [{ what: 'Veiligheidsafspraken met het slachtoffer', by: 'vt' }],
      risks: ['Ontkenning door de verdachte', 'Slachtoffer wil geen aangifte doen'],
    },
    step2: { interventions: spec.interventions, scenarios: spec.scenarios },
    step3: {
      direction: { partner: 'vt', note: 'Veilig Thuis houdt regie op veiligheid' },
      monitoring: [{ partner: 'vt', when: 'over twee weken', what: 'Evaluatie veiligheidsafspraken' }],
      informingPlan: 'Inbrenger informeert betrokkenen na het overleg, tenzij dat gevaar oplevert.',
      partiesToInform: ['Wijkteam'],
    },
    considerations: 'Strafrechtelijke en zorginterventies worden op elkaar afgestemd zodat ze elkaar niet dwarsbomen.',
    ...(spec.extraInformation ? { extraInformation: spec.extraInformation } : {}),
    ...(spec.medical ? { medicalInformation: spec.medical } : {}),
    criminalJustice: 'OvJ overweegt ambtshalve vervolging.',
    returnToMeeting: { returns: true, reason: 'Evaluatie van de interventies' },
    standardClause: 'Als het plan van aanpak zoals besproken niet werkt, wordt de casus opnieuw geagendeerd.',
    informing: spec.persons.map((p) =>
      p.role === 'suspect'
        ? { personId: p.personId, status: 'postponed', reason: 'Informeren brengt het slachtoffer in gevaar', reviewDate: '2026-12-08' }
        : { personId: p.personId, status: 'informed', by: spec.submitter, on: MEETING },
    ),
    ...(spec.notForClient ? { notForClient: spec.notForClient } : {}),
  };
}

function agenda(spec: CaseSpec): Record<string, unknown> {
  return { meetingDate: MEETING, items: [{ caseRef: spec.caseRef, persons: spec.persons, question: spec.question }] };
}

function build(name: string, spec: CaseSpec): CaseFixture {
  return { name, caseRef: spec.caseRef, submitter: spec.submitter, submission: submission(spec), minutes: minutes(spec), agenda: agenda(spec) };
}

export const stalkingCase = (): CaseFixture =>
  build('stalking', {
    caseRef: 'VT-2026-000101',
    submitter: 'politie',
    persons: [
      { personId: 'p1', role: 'victim', name: 'Anna Jansen', dateOfBirth: '1988-03-14', bsn: '999990019' },
      { personId: 'p2', role: 'suspect', name: 'Bram Bakker', dateOfBirth: '1985-07-02', bsn: '999990020' },
    ],
    description: 'Meneer stalkt mevrouw sinds enkele maanden met hoge frequentie; SASH hoog. Aangifte van vernieling fiets niet in behandeling genomen.',
    question: 'Is het afwijzen van de aangifte juist gezien de zorgen over stalking, en is uitbreiden van de aangifte zinvol?',
    factors: ['ex-partner-stalking', 'history-of-violence', 'care-and-criminal-law'],
    interventions: [
      { what: 'Antecedenten van meneer checken; wijkagent legt contact', partner: 'politie' },
      { what: 'Plan van aanpak bespreken met de OvJ en terugkoppelen', partner: 'om' },
      { what: 'Mevrouw motiveren contact te leggen met de politie', partner: 'vt' },
      { what: 'Nagaan of meneer onder toezicht staat', partner: 'reclassering' },
    ],
    scenarios: [{ trigger: 'Nieuw stalkingsincident', response: 'ZSM-scenario: aanhouding en voorgeleiding', partners: ['politie', 'om'] }],
    notForClient: 'Melder is de buurvrouw; haar naam mag niet bekend worden.',
  });

export const elderAbuseCase = (): CaseFixture =>
  build('elder abuse', {
    caseRef: 'VT-2026-000107',
    submitter: 'vt',
    persons: [
      { personId: 'p1', role: 'victim', name: 'Gerrit Visser', dateOfBirth: '1945-01-20', bsn: '999990031' },
      { personId: 'p2', role: 'victim', name: 'Truus Visser', dateOfBirth: '1946-05-11', bsn: '999990043' },
      { personId: 'p3', role: 'suspect', name: 'Kees Visser', dateOfBirth: '1978-09-30', bsn: '999990055' },
    ],
    description: 'Ouderpaar van rond de 80 met volwassen zoon in huis die psychotisch en fysiek agressief is. VT trof meneer aan met blauwe plekken.',
    question: 'Wat is nodig om de veiligheid van het ouderpaar te waarborgen en welke strafrechtelijke interventies zijn mogelijk richting de zoon?',
    factors: ['elder-abuse', 'denial', 'care-and-criminal-law'],
    medical: 'Zoon kampt met psychoses; eerdere opname.',
    interventions: [
      { what: 'Ambtshalve aangifte van mishandeling', partner: 'vt' },
      { what: 'Huisverbod opleggen', partner: 'politie' },
      { what: 'Rechterlijke machtiging voor de zoon aanvragen', partner: 'om' },
    ],
    scenarios: [{ trigger: 'Terugmelding na het huisverbod', response: 'Optie WvGGZ', partners: ['politie', 'vt'] }],
  });

export const criminalChildAbuseCase = (): CaseFixture =>
  build('criminal child abuse', {
    caseRef: 'VT-2026-000105',
    submitter: 'vt',
    persons: [
      { personId: 'p1', role: 'child', name: 'Noah de Wit', dateOfBirth: '2026-07-01', bsn: '999990067' },
      { personId: 'p2', role: 'parent', name: 'Sanne de Wit', dateOfBirth: '1996-02-17', bsn: '999990079' },
      { personId: 'p3', role: 'parent', name: 'Tim de Wit', dateOfBirth: '1994-12-03', bsn: '999990080' },
    ],
    description: 'Ziekenhuis meldt vermoeden van shaken baby bij een baby van 4 maanden; geen interne medische oorzaak gevonden.',
    question: 'Hoe lopen het onderzoeksplan van de OvJ en het veiligheidsplan van VT naast elkaar zonder elkaar te dwarsbomen?',
    factors: ['criminal-child-abuse', 'suspected-offence', 'care-and-criminal-law'],
    medical: 'Vertrouwensarts: letsel past bij schudden; geen interne oorzaak.',
    interventions: [
      { what: 'Verhoor ouders na free recall', partner: 'politie' },
      { what: 'Onderzoeksplan opstellen', partner: 'om' },
      { what: 'Verzoek tot onderzoek naar een kinderbeschermingsmaatregel', partner: 'rvdk' },
      { what: 'Veiligheidsplan en begeleide omgang', partner: 'vt' },
    ],
    scenarios: [
      { trigger: 'Ouders werken niet mee aan het veiligheidsplan', response: 'Verzoek voorlopige ondertoezichtstelling', partners: ['rvdk', 'vt'] },
      { trigger: 'Nieuw letsel', response: 'Aanhouding van de ouders', partners: ['politie', 'om'] },
    ],
    notForClient: 'De melding komt van de kinderarts van het ziekenhuis.',
  });

export const familyCase = (): CaseFixture =>
  build('family with children', {
    caseRef: 'VT-2026-000108',
    submitter: 'politie',
    persons: [
      { personId: 'p1', role: 'victim', name: 'Fatima El Amrani', dateOfBirth: '1990-04-22', bsn: '999990092' },
      { personId: 'p2', role: 'suspect', name: 'Youssef El Amrani', dateOfBirth: '1987-11-15', bsn: '999990109' },
      { personId: 'p3', role: 'child', name: 'Sara El Amrani', dateOfBirth: '2018-06-09', bsn: '999990110' },
      { personId: 'p4', role: 'child', name: 'Adam El Amrani', dateOfBirth: '2020-01-28', bsn: '999990122' },
    ],
    description: 'Een kennis van moeder meldt bij de politie dat moeder mishandeld wordt en dat vader nu ook de kinderen mishandelt.',
    question: 'Wie gaat wat doen, en wat is nodig om directe veiligheid te borgen voor moeder en de kinderen?',
    factors: ['history-of-violence', 'firearms', 'care-and-criminal-law'],
    medical: 'Vader heeft een bipolaire stoornis en slikt momenteel geen medicatie.',
    interventions: [
      { what: 'Wijkagent nodigt moeder uit op school voor een gesprek', partner: 'politie' },
      { what: 'Bevel tot aanhouding van vader en huisverbod', partner: 'om' },
      { what: 'Veiligheidsafspraken met moeder over de kinderen', partner: 'vt' },
      { what: 'Onderzoek naar de situatie van de kinderen', partner: 'rvdk' },
    ],
    scenarios: [{ trigger: 'Vader negeert het huisverbod', response: 'Aanhouding; ZSM-scenario', partners: ['politie', 'om'] }],
    extraInformation: [{ from: 'politie', information: 'Vader is bekend met vechtsport en wapenbezit.' }],
    notForClient: 'De kennis van moeder wil anoniem blijven.',
  });

export const ALL_CASES = [stalkingCase, elderAbuseCase, criminalChildAbuseCase, familyCase];

export function envelope(type: string, purpose: string, caseRef: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { messageId: randomUUID(), type, purpose, createdAt: new Date().toISOString(), caseRef, payload, ...extra };
}
