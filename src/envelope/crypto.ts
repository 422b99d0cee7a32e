import type * as openpgp from 'openpgp';
import type { Keyring } from './keyring.ts';
import { openEnvelope, type OpenedEnvelope } from './open.ts';
import { seal, type Sealed } from './seal.ts';

/**
 * The OpenPGP work of a submission, by partner id: open (decrypt with the hub's keys, verify against the
 * sender's registered keys) and seal (encrypt to the recipient, sign with the hub's key). The hub runs it
 * in a pool of worker threads (crypto-pool.ts); the same functions run in the calling thread here.
 */
export interface EnvelopeCrypto {
  open(armored: string, sender: string, maxDecompressedBytes: number): Promise<OpenedEnvelope>;
  seal(plaintext: string, recipient: string): Promise<Sealed>;
}

/** The keys the OpenPGP work needs, as the keyring parsed them. */
export type CryptoKeys = Pick<Keyring, 'hubPrivateKeys' | 'partnerKeys'>;

/** The same keys as armoured text, the form in which they cross to a worker thread once at start. */
export interface KeyMaterial {
  hubPrivateKeys: string[];
  partnerKeys: [string, string[]][];
}

export function inThreadCrypto(keys: CryptoKeys): EnvelopeCrypto {
  const partnerKeys = (id: string): openpgp.PublicKey[] => keys.partnerKeys.get(id) ?? [];
  return {
    open: (armored, sender, maxDecompressedBytes) => openEnvelope(armored, keys.hubPrivateKeys, partnerKeys(sender), maxDecompressedBytes),
    seal: (plaintext, recipient) => seal(plaintext, partnerKeys(recipient), keys.hubPrivateKeys),
  };
}

/** Taken from the keyring (never from files), so that whatever the keyring decides is in force reaches the workers. */
export function keyMaterial(keys: CryptoKeys): KeyMaterial {
  return {
    hubPrivateKeys: keys.hubPrivateKeys.map((k) => k.armor()),
    partnerKeys: [...keys.partnerKeys].map(([id, list]) => [id, list.map((k) => k.armor())]),
  };
}
