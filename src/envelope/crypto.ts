import * as openpgp from 'openpgp';
import { checkSigner, decryptionKeys, encryptionKeys, type Keyring, type RegisteredKey } from './keyring.ts';
import { openEnvelope, type OpenedEnvelope, type OpenLimits } from './open.ts';
import { seal, type Sealed } from './seal.ts';

/**
 * The OpenPGP work of a submission, by partner id and at a moment (keys have periods): open (decrypt
 * with the hub's keys in force, verify against the sender's registered keys) and seal (encrypt to the
 * recipient's keys in force, sign with the hub's current key). The hub runs it in a pool of worker
 * threads (crypto-pool.ts); the same functions run in the calling thread here.
 */
export interface EnvelopeCrypto {
  /** Bytes may be handed over to a worker thread: the caller must not read them afterwards. */
  open(armored: string | Uint8Array, sender: string, limits: OpenLimits, at: Date): Promise<OpenedEnvelope>;
  seal(plaintext: string, recipient: string, at: Date): Promise<Sealed>;
}

/** The keys the OpenPGP work needs, as the keyring parsed them. */
export type CryptoKeys = Pick<Keyring, 'hubPrivateKeys' | 'hubKeys' | 'partnerKeys'>;

/** The same keys as armoured text with their periods, the form in which they cross to a worker thread once at start. */
export interface KeyMaterial {
  /** The current key first. */
  hubKeys: { privateKey: string; decryptUntil?: string }[];
  partnerKeys: [string, { armored: string; validFrom?: string; validUntil?: string }[]][];
}

export function inThreadCrypto(keys: CryptoKeys): EnvelopeCrypto {
  return {
    async open(armored, sender, limits, at) {
      const senderKeys = keys.partnerKeys.get(sender) ?? [];
      return openEnvelope(armored, decryptionKeys(keys, at), senderKeys.map((k) => k.key), limits, at, (keyId) => checkSigner(senderKeys, keyId, at));
    },
    seal: async (plaintext, recipient, at) => seal(plaintext, await encryptionKeys(keys, recipient, at), keys.hubPrivateKeys),
  };
}

const iso = (name: string, d: Date | undefined) => (d === undefined ? {} : { [name]: d.toISOString() });

/** Taken from the keyring (never from files), so that whatever the keyring decides is in force reaches the workers. */
export function keyMaterial(keys: CryptoKeys): KeyMaterial {
  return {
    hubKeys: keys.hubKeys.map((k) => ({ privateKey: k.key.armor(), ...iso('decryptUntil', k.decryptUntil) })),
    partnerKeys: [...keys.partnerKeys].map(([id, list]) => [id, list.map((k) => ({ armored: k.key.armor(), ...iso('validFrom', k.validFrom), ...iso('validUntil', k.validUntil) }))]),
  };
}

/** The keyring again, in a worker thread. */
export async function keysFromMaterial(material: KeyMaterial): Promise<CryptoKeys> {
  const hubKeys = await Promise.all(
    material.hubKeys.map(async (k) => {
      const key = await openpgp.readPrivateKey({ armoredKey: k.privateKey });
      return { key, publicKey: key.toPublic(), ...(k.decryptUntil ? { decryptUntil: new Date(k.decryptUntil) } : {}) };
    }),
  );
  const partnerKeys = new Map<string, RegisteredKey[]>();
  for (const [id, list] of material.partnerKeys) {
    partnerKeys.set(
      id,
      await Promise.all(
        list.map(async (k) => ({
          key: await openpgp.readKey({ armoredKey: k.armored }),
          ...(k.validFrom ? { validFrom: new Date(k.validFrom) } : {}),
          ...(k.validUntil ? { validUntil: new Date(k.validUntil) } : {}),
        })),
      ),
    );
  }
  return { hubPrivateKeys: [hubKeys[0]!.key], hubKeys, partnerKeys };
}
