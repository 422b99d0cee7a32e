import { randomUUID } from 'node:crypto';

/** Key types the bench measures: the development default, and the RSA size many organisations still use. */
export const KEY_TYPES = ['curve25519', 'rsa3072'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

type Json = Record<string, unknown>;

/** A list in the minutes that free text can fill: at most `count` elements, each with `text` characters at most. */
interface Filler {
  at: (minutes: Json) => unknown[];
  count: number;
  text: number;
  make: (text: string) => unknown;
}

const step = (minutes: Json, name: string) => minutes[name] as Record<string, unknown[]>;
const FILLERS: Filler[] = [
  { at: (m) => step(m, 'step1').risks!, count: 50, text: 2000, make: (t) => t },
  { at: (m) => step(m, 'step1').existingSafety!, count: 50, text: 2000, make: (what) => ({ what, by: 'bench-r1' }) },
  { at: (m) => step(m, 'step2').interventions!, count: 50, text: 2000, make: (what) => ({ what, partner: 'bench-r2', how: what }) },
  { at: (m) => step(m, 'step2').scenarios!, count: 50, text: 2000, make: (trigger) => ({ trigger, response: trigger, partners: ['bench-r1', 'bench-r3'] }) },
  { at: (m) => step(m, 'step3').monitoring!, count: 50, text: 2000, make: (what) => ({ partner: 'bench-r4', when: 'elke week', what }) },
  { at: (m) => m.extraInformation as unknown[], count: 50, text: 4000, make: (information) => ({ from: 'bench-r5', information }) },
];

/** Single text fields, filled last, when the lists are full. */
const SINGLES: { set: (minutes: Json, text: string) => void; text: number }[] = [
  ...(['considerations', 'medicalInformation', 'criminalJustice', 'notForClient'] as const).map((field) => ({ set: (m: Json, t: string) => (m[field] = t), text: 10_000 })),
  { set: (m, t) => (m.question = t), text: 4000 },
  { set: (m, t) => ((m.step1 as Json).biggestConcern = t), text: 4000 },
  { set: (m, t) => ((m.step3 as Json).informingPlan = t), text: 4000 },
];

const prose = (length: number) => 'Afspraken over veiligheid van het kind en de ouders. '.repeat(Math.ceil(length / 53)).slice(0, length).trimEnd() || 'x';

/** Minutes of one case about one person: the smallest valid payload of the type with the most room for text. */
function baseMinutes(): Json {
  return {
    meetingDate: '2026-12-01',
    question: 'Wat is nodig voor de veiligheid?',
    persons: [{ personId: 'p1', role: 'child', name: 'Bench Kind', dateOfBirth: '2018-04-12', bsn: '123456782' }],
    step1: { biggestConcern: 'Escalatie', existingSafety: [], risks: [] },
    step2: { interventions: [], scenarios: [] },
    step3: { direction: { partner: 'bench-r1' }, monitoring: [] },
    considerations: 'Afstemming',
    extraInformation: [],
    returnToMeeting: { returns: false },
    standardClause: 'Als het plan niet werkt, komt de casus terug.',
    informing: [],
  };
}

/**
 * Minutes of about `bytes` of JSON, grown by free text in their lists (risks, agreements, interventions,
 * scenarios, monitoring, information from partners) up to what the schema allows (about 0.97 MB), about one
 * person: the payload grows, not the number of persons (each person is a log entry per recipient).
 */
export function minutesPayload(bytes: number): Json {
  const minutes = baseMinutes();
  let size = JSON.stringify(minutes).length;
  for (const filler of FILLERS) {
    const list = filler.at(minutes);
    while (list.length < filler.count && size < bytes) {
      const overhead = JSON.stringify(filler.make('')).length + 1;
      const element = filler.make(prose(Math.min(filler.text, Math.max(1, bytes - size - overhead))));
      list.push(element);
      size += JSON.stringify(element).length + (list.length > 1 ? 1 : 0);
    }
  }
  for (const single of SINGLES) {
    if (size >= bytes) break;
    single.set(minutes, prose(single.text));
    size = JSON.stringify(minutes).length;
  }
  return minutes;
}

export function minutesEnvelope(payload: Json, recipients: string[]): Json {
  return { messageId: randomUUID(), type: 'minutes', purpose: 'execution', createdAt: new Date().toISOString(), caseRef: 'BENCH', recipients, payload };
}
