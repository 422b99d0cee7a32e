import { z } from 'zod';
import { tagged } from './categories.ts';
import { Person, Text } from './common.ts';

/** Agenda (voorbereiding): per case only what identifies it, so partners can look the persons up. */
export const AgendaPayload = z
  .object({
    meetingDate: tagged(z.iso.date(), 'process', 'Datum van het Actieoverleg'),
    items: tagged(
      z
        .array(
          z
            .object({
              caseRef: tagged(Text(100), 'question', 'Casusnummer'),
              persons: tagged(z.array(Person).min(1).max(50), 'identification', 'Directbetrokkenen'),
              question: tagged(Text(4000), 'question', 'Concrete vraag aan het Actieoverleg'),
            })
            .strict(),
        )
        .min(1)
        .max(100),
      'question',
      'Agendapunten',
    ),
  })
  .strict();
