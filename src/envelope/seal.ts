import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { armorMessage } from './armor.ts';
import { openpgpConfig } from './openpgp-config.ts';

export interface Sealed {
  /**
   * The armoured message as UTF-8 bytes in a buffer of their own: a worker thread hands them over
   * without a copy, and the database, TLS and files take them as they are (a string of megabytes
   * costs milliseconds to clone, store and read back).
   */
  ciphertext: Uint8Array;
  digest: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Encrypts a recipient's view to the recipient's keys and signs it with the hub key. */
export async function seal(plaintext: string, recipientKeys: openpgp.PublicKey[], hubKeys: openpgp.PrivateKey[]): Promise<Sealed> {
  const packets = await openpgp.encrypt({
    message: await openpgp.createMessage({ text: plaintext }),
    encryptionKeys: recipientKeys,
    signingKeys: hubKeys,
    config: openpgpConfig(Number.MAX_SAFE_INTEGER),
    format: 'binary',
  });
  const ciphertext = armorMessage(packets);
  return { ciphertext, digest: sha256Hex(ciphertext) };
}
