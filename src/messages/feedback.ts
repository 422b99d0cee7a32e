import { z } from 'zod';
import { tagged } from './categories.ts';
import { Text } from './common.ts';

/** Terugkoppeling: partners report back on the actions agreed in the minutes. */
export const FeedbackPayload = z
  .object({
    minutesMessageId: tagged(z.uuid().optional(), 'process', 'messageId van het verslag waarop teruggekoppeld wordt'),
    actions: tagged(
      z
        .array(
          z
            .object({
              action: tagged(Text(2000), 'safety-plan', 'Actie'),
              status: tagged(z.enum(['planned', 'in-progress', 'done', 'not-done']), 'safety-plan', 'Status'),
              note: tagged(Text(4000).optional(), 'safety-plan', 'Korte toelichting'),
            })
            .strict(),
        )
        .min(1)
        .max(50),
      'safety-plan',
      'Acties en hun status',
    ),
    returnToMeeting: tagged(z.boolean().optional(), 'process', 'Verzoek om de casus opnieuw te agenderen'),
  })
  .strict();
