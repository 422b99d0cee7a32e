import type { HubConfig } from '../../../src/config/types.ts';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { fuzzCases } from './fuzz-cases.ts';
import { adminCases, partnerEndpointCases, privacyCases, requestCases } from './http-cases.ts';
import { openPgpCases } from './openpgp-cases.ts';
import { loadHostileKeys, seal } from './pgp.ts';
import { plaintextCases } from './plaintext-cases.ts';
import { schemaCases } from './schema-cases.ts';
import type { HostileCase } from './types.ts';

export type { HostileCase };

/** A valid submission by the police: what every plaintext case spoils in one way. */
export function validSubmission(): Record<string, unknown> {
  const fixture = stalkingCase();
  // A deep copy: the fixtures share objects (an address), which the cases spoil in place.
  return structuredClone(envelope('submission', 'intake', fixture.caseRef, fixture.submission)) as unknown as Record<string, unknown>;
}

/** The whole hostile corpus against a hub with this configuration, sent by the police (and its operators). */
export async function hostileCorpus(certs: string, config: HubConfig): Promise<HostileCase[]> {
  const keys = await loadHostileKeys(certs, 'politie', 'vt');
  const sealAsPolice = (plaintext: string | Uint8Array) => seal(keys, plaintext);
  const policy = config.policies.find((p) => p.id === 'politie-execution');
  if (!policy) throw new Error('the shipped configuration has no policy politie-execution');
  return [
    ...(await openPgpCases(keys, () => JSON.stringify(validSubmission()), config.hub.limits.decompressedBytes)),
    ...(await plaintextCases(validSubmission, sealAsPolice)),
    ...(await schemaCases(sealAsPolice)),
    ...(await fuzzCases(sealAsPolice)),
    ...requestCases(await sealAsPolice(JSON.stringify(validSubmission())), config.hub.limits.requestBytes),
    ...partnerEndpointCases(),
    ...adminCases(policy, config.hub.limits.requestBytes),
    ...privacyCases(),
  ];
}
