import { z } from 'zod';
import { tagged } from './categories.ts';
import { PartnerId, Person, PersonReference, Text } from './common.ts';

const Agreement = z
  .object({
    what: tagged(Text(2000), 'safety-plan', 'Afspraak'),
    by: tagged(PartnerId, 'safety-plan', 'Door welke partner'),
  })
  .strict();

const Intervention = z
  .object({
    what: tagged(Text(2000), 'safety-plan', 'Wat'),
    partner: tagged(PartnerId, 'safety-plan', 'Wie (uitvoerende partner)'),
    how: tagged(Text(2000).optional(), 'safety-plan', 'Hoe'),
  })
  .strict();

const Scenario = z
  .object({
    trigger: tagged(Text(2000), 'safety-plan', 'Bij welk incident of welke geschonden veiligheidsafspraak'),
    response: tagged(Text(2000), 'safety-plan', 'Wat er dan gebeurt (bijv. ZSM-scenario, verzoek tot onderzoek RvdK, tijdelijk huisverbod)'),
    partners: tagged(z.array(PartnerId).min(1).max(10), 'safety-plan', 'Betrokken partners'),
  })
  .strict();

const Informing = z
  .object({
    personId: tagged(PersonReference, 'process', 'Betrokkene of melder'),
    status: tagged(z.enum(['informed', 'postponed', 'undecided']), 'process', 'Geïnformeerd, uitgesteld of nog niet besloten'),
    by: tagged(PartnerId.optional(), 'process', 'Door wie geïnformeerd'),
    on: tagged(z.iso.date().optional(), 'process', 'Wanneer geïnformeerd'),
    reason: tagged(Text(2000).optional(), 'process', 'Waarom (nog) niet geïnformeerd'),
    reviewDate: tagged(z.iso.date().optional(), 'process', 'Wanneer opnieuw bezien'),
  })
  .strict();

/** Verslag van het Actieoverleg per casus, in de drie stappen van de methodische onderlegger. */
export const MinutesPayload = z
  .object({
    meetingDate: tagged(z.iso.date(), 'process', 'Datum van het Actieoverleg'),
    question: tagged(Text(4000), 'question', 'Concrete vraag aan het Actieoverleg'),
    persons: tagged(z.array(Person).min(1).max(50), 'identification', 'Directbetrokkenen'),
    step1: z
      .object({
        biggestConcern: tagged(Text(4000), 'case-facts', 'Grootste zorg als er niets verandert'),
        existingSafety: tagged(z.array(Agreement).max(50), 'safety-plan', 'Bestaande directe veiligheid: welke afspraken, door wie'),
        risks: tagged(z.array(Text(2000)).max(50), 'case-facts', 'Risico’s en complicerende factoren'),
      })
      .strict()
      .meta({ 'x-category': 'case-facts', description: 'Stap 1: informatie delen en duiden' }),
    step2: z
      .object({
        interventions: tagged(z.array(Intervention).max(50), 'safety-plan', 'Directe interventies: wat, wie, hoe'),
        scenarios: tagged(z.array(Scenario).max(50), 'safety-plan', 'Scenario’s bij een volgend incident'),
      })
      .strict()
      .meta({ 'x-category': 'safety-plan', description: 'Stap 2: afspraken over directe en structurele veiligheid' }),
    step3: z
      .object({
        direction: tagged(
          z.object({ partner: tagged(PartnerId, 'safety-plan', 'Regiehouder'), note: tagged(Text(2000).optional(), 'safety-plan', 'Toelichting') }).strict(),
          'safety-plan',
          'Wie heeft de regie op veiligheid',
        ),
        monitoring: tagged(
          z
            .array(
              z
                .object({
                  partner: tagged(PartnerId, 'safety-plan', 'Wie monitort'),
                  when: tagged(Text(200), 'safety-plan', 'Wanneer'),
                  what: tagged(Text(2000), 'safety-plan', 'Wat'),
                })
                .strict(),
            )
            .max(50),
          'safety-plan',
          'Monitoring: wie, wanneer, wat',
        ),
        informingPlan: tagged(Text(4000).optional(), 'process', 'Welke informatie gaat wanneer en door wie naar de betrokkenen'),
        partiesToInform: tagged(z.array(Text(200)).max(20).optional(), 'process', 'Welke partijen moeten geïnformeerd worden'),
      })
      .strict()
      .meta({ 'x-category': 'safety-plan', description: 'Stap 3: overdracht en uitvoering van de afspraken' }),
    considerations: tagged(Text(10000), 'case-facts', 'Overwegingen die tot de afspraken hebben geleid'),
    extraInformation: tagged(
      z
        .array(
          z
            .object({
              from: tagged(PartnerId, 'case-facts', 'Partner die de informatie inbracht'),
              information: tagged(Text(4000), 'case-facts', 'Informatie, pas bekend in het overleg (verrijking)'),
            })
            .strict(),
        )
        .max(50)
        .optional(),
      'case-facts',
      'Extra informatie van partners, bekend geworden in het Actieoverleg',
    ),
    medicalInformation: tagged(Text(10000).optional(), 'medical', 'Inbreng vertrouwensarts, medische of psychiatrische informatie'),
    criminalJustice: tagged(Text(10000).optional(), 'criminal-justice', 'Strafrechtelijke informatie: verdenkingen, beslissingen OvJ, toezicht'),
    returnToMeeting: tagged(
      z
        .object({
          returns: tagged(z.boolean(), 'process', 'Terugkeer in een volgend overleg'),
          reason: tagged(Text(2000).optional(), 'process', 'Reden van terugkeer'),
        })
        .strict(),
      'process',
      'Komt de casus terug in een volgend overleg, en waarom',
    ),
    standardClause: tagged(Text(1000), 'process', '“Als het plan van aanpak zoals besproken niet werkt, wordt de casus opnieuw geagendeerd”'),
    informing: tagged(z.array(Informing).max(50), 'process', 'Zijn betrokkenen en melder geïnformeerd over het overleg, en zo niet, waarom niet'),
    notForClient: tagged(Text(10000).optional(), 'not-for-client', 'Informatie die niet zichtbaar mag worden voor de cliënt (contactjournaal VT)'),
  })
  .strict();
