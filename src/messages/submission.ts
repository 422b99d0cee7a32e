import { z } from 'zod';
import { tagged } from './categories.ts';
import { ContactPerson, PartnerId, Person, Text } from './common.ts';

export const CriteriaFactor = z.enum([
  'care-and-criminal-law',
  'suspected-offence',
  'criminal-network',
  'firearms',
  'history-of-violence',
  'escalating-violence',
  'denial',
  'ex-partner-stalking',
  'honour-related-violence',
  'female-genital-mutilation',
  'elder-abuse',
  'criminal-child-abuse',
  'sexual-offence',
]);

/** Aanmelding: a case submitted to the chair (VT) for the Actieoverleg. */
export const SubmissionPayload = z
  .object({
    submitter: tagged(
      z
        .object({
          organisation: tagged(PartnerId, 'process', 'Inbrengende organisatie'),
          contactPerson: ContactPerson,
        })
        .strict(),
      'process',
      'Inbrenger',
    ),
    persons: tagged(z.array(Person).min(1).max(50), 'identification', 'Directbetrokkenen'),
    caseDescription: tagged(Text(10000), 'case-facts', 'Casusbeschrijving: kort, feitelijk, concreet'),
    sourceReference: tagged(Text(100), 'process', 'Bronverwijzing: zorgmelding of mutatienummer van de politie'),
    knownHistory: tagged(
      z
        .object({
          earlierReports: tagged(z.array(Text(2000)).max(50).optional(), 'history', 'Eerdere meldingen'),
          investigations: tagged(z.array(Text(2000)).max(50).optional(), 'history', 'Lopende of eerdere onderzoeken'),
          careInPlace: tagged(z.array(Text(2000)).max(50).optional(), 'history', 'Ingezette hulpverlening'),
        })
        .strict()
        .optional(),
      'history',
      'Wat is al bekend',
    ),
    medicalInformation: tagged(Text(10000).optional(), 'medical', 'Medische of psychiatrische informatie, inbreng vertrouwensarts'),
    suspectedOffences: tagged(z.array(Text(500)).max(20).optional(), 'criminal-justice', '(Vermoedelijke) strafbare feiten'),
    question: tagged(Text(4000), 'question', 'Concrete vraag aan het Actieoverleg'),
    safetyConcern: tagged(Text(4000).optional(), 'case-facts', 'Wat maakt het moeilijk de situatie veilig te houden'),
    criteria: tagged(
      z
        .object({
          relevantFor: tagged(z.array(PartnerId).min(1).max(10), 'process', 'Relevant voor (minimaal VT, politie en OM)'),
          factors: tagged(z.array(CriteriaFactor).max(13), 'case-facts', 'Inhoudelijke criteria'),
        })
        .strict(),
      'case-facts',
      'Criteria voor inbreng',
    ),
    urgent: tagged(z.boolean(), 'process', 'Spoed: acuut gevaar, direct afstemmen met politie en OM'),
    vtReportReference: tagged(Text(100).optional(), 'process', 'Kenmerk van de melding bij Veilig Thuis (verplicht voor niet-VT inbrengers)'),
  })
  .strict();
