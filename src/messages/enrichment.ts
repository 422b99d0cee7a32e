import { z } from 'zod';
import { tagged } from './categories.ts';
import { ContactPerson, Person, PersonReference, Text } from './common.ts';

/** Verrijkingsvraag: is this person known to Probation (supervision) or the Child Protection Board? */
export const EnrichmentRequestPayload = z
  .object({
    persons: tagged(z.array(Person).min(1).max(20), 'identification', 'Personen waarnaar gevraagd wordt'),
    question: tagged(Text(2000), 'question', 'Verrijkingsvraag'),
    meetingDate: tagged(z.iso.date().optional(), 'process', 'Datum van het Actieoverleg'),
  })
  .strict();

/** Verrijkingsantwoord: known or not, the kind of supervision or measure, and a contact. */
export const EnrichmentAnswerPayload = z
  .object({
    requestMessageId: tagged(z.uuid(), 'process', 'messageId van de verrijkingsvraag'),
    results: tagged(
      z
        .array(
          z
            .object({
              personId: tagged(PersonReference, 'identification', 'Verwijzing naar de betrokkene uit de vraag'),
              known: tagged(z.boolean(), 'criminal-justice', 'Bekend bij de organisatie'),
              kind: tagged(Text(500).optional(), 'criminal-justice', 'Soort toezicht, onderzoek of maatregel'),
              contact: ContactPerson.optional(),
            })
            .strict(),
        )
        .min(1)
        .max(20),
      'criminal-justice',
      'Resultaten per persoon',
    ),
  })
  .strict();
