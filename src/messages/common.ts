import { z } from 'zod';
import { generalisable, tagged } from './categories.ts';

const text = (max = 4000) => z.string().min(1).max(max);

export const PartnerId = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'a partner id: lower-case letters, digits and dashes');

export const Address = tagged(
  z
    .object({
      street: tagged(text(200), 'contact', 'Straat'),
      houseNumber: tagged(text(20), 'contact', 'Huisnummer met toevoeging'),
      postcode: generalisable(tagged(z.string().regex(/^[1-9][0-9]{3} ?[A-Z]{2}$/), 'contact', 'Postcode'), 'postcode-digits'),
      municipality: generalisable(tagged(text(100), 'contact', 'Gemeente (woonplaats)'), 'as-is'),
    })
    .strict(),
  'contact',
  'Adres van de betrokkene',
);

export const ContactPerson = tagged(
  z
    .object({
      name: tagged(text(200), 'contact', 'Naam van de contactpersoon'),
      phone: tagged(z.string().regex(/^\+?[0-9 -]{6,20}$/).optional(), 'contact', 'Telefoonnummer'),
      email: tagged(z.email().optional(), 'contact', 'E-mailadres'),
    })
    .strict(),
  'contact',
  'Contactpersoon',
);

export const PersonRole = z.enum(['victim', 'suspect', 'child', 'parent', 'other']);

/** A person involved (directbetrokkene); `personId` is the sender's local key, used to refer to the person elsewhere. */
export const Person = tagged(
  z
    .object({
      personId: tagged(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), 'identification', 'Verwijzing naar de betrokkene binnen dit bericht'),
      role: tagged(PersonRole, 'identification', 'Rol in de casus: slachtoffer, verdachte, kind, ouder, overig'),
      name: tagged(text(200), 'identification', 'Naam'),
      dateOfBirth: generalisable(tagged(z.iso.date(), 'identification', 'Geboortedatum'), 'year'),
      bsn: tagged(z.string().regex(/^[0-9]{9}$/, 'a BSN has nine digits').optional(), 'identification', 'Burgerservicenummer (BSN)'),
      address: Address.optional(),
    })
    .strict(),
  'identification',
  'Directbetrokkene',
);

export const PersonReference = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);

export const Text = text;
