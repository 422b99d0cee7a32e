import * as openpgp from 'openpgp';
import { loadPartnerCredentials, SimulatedPartner } from '../../src/simulator/partner.ts';
import { CERTS } from './hub.ts';

export const DAY = 86_400_000;

/** A version 4 Curve25519 key pair as partners use, created at `date` and expiring after `expiresAfterSeconds`. */
export function newKeyPair(name: string, options: { date?: Date; expiresAfterSeconds?: number } = {}) {
  return openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email: `${name.toLowerCase().replace(/\W+/g, '-')}@actieoverleg.test` }],
    format: 'object',
    ...(options.date ? { date: options.date } : {}),
    ...(options.expiresAfterSeconds ? { keyExpirationTime: options.expiresAfterSeconds } : {}),
  });
}

/** A partner system with its own certificate but another signing key (and optionally another idea of the hub's key). */
export async function partnerSigningWith(id: string, hubUrl: string, pgpPrivateKey: openpgp.PrivateKey, hubPgpPublicKey?: openpgp.PublicKey): Promise<SimulatedPartner> {
  const creds = await loadPartnerCredentials(CERTS, id);
  return new SimulatedPartner({ ...creds, pgpPrivateKey, ...(hubPgpPublicKey ? { hubPgpPublicKey } : {}) }, hubUrl);
}

/** A settable clock for the hub, so that tests move through key periods without waiting. */
export function testClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    set(days: number) {
      offset = days * DAY;
    },
  };
}
