import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { openpgpConfig } from './openpgp-config.ts';

export interface Sealed {
  armored: string;
  digest: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Encrypts a recipient's view to the recipient's keys and signs it with the hub key. */
export async function seal(plaintext: string, recipientKeys: openpgp.PublicKey[], hubKeys: openpgp.PrivateKey[]): Promise<Sealed> {
  const armored = await openpgp.encrypt({
    message: await openpgp.createMessage({ text: plaintext }),
    encryptionKeys: recipientKeys,
    signingKeys: hubKeys,
    config: openpgpConfig(Number.MAX_SAFE_INTEGER),
    format: 'armored',
  });
  return { armored, digest: sha256Hex(armored) };
}
