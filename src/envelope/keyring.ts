import { readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import type { HubConfig, Partner } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';

/** A partner's public key with the period in which the hub accepts its signatures and encrypts to it. */
export interface RegisteredKey {
  key: openpgp.PublicKey;
  validFrom?: Date;
  validUntil?: Date;
}

/** One of the hub's private keys; a previous key only decrypts, and only until its decryptUntil. */
export interface HubKey {
  key: openpgp.PrivateKey;
  /** As published: the file of hub.pgp.publicKey for the current key. */
  publicKey: openpgp.PublicKey;
  decryptUntil?: Date;
}

/** The OpenPGP keys the hub works with, parsed once at start-up. */
export interface Keyring {
  /** The current key: it signs deliveries and checkpoints. */
  hubPrivateKeys: openpgp.PrivateKey[];
  /** The current key first, then the previous ones. */
  hubKeys: HubKey[];
  partnerKeys: Map<string, RegisteredKey[]>;
}

async function unlocked(armored: string, passphrase: string | undefined): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  if (key.isDecrypted()) return key;
  if (!passphrase) throw new TypeError('the hub private key is protected: set the variable named by hub.pgp.passphraseEnv');
  return openpgp.decryptKey({ privateKey: key, passphrase });
}

const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));

export async function loadKeyring(config: HubConfig, env: NodeJS.ProcessEnv = process.env): Promise<Keyring> {
  const passphraseOf = (name: string | undefined) => (name ? env[name] : undefined);
  const current = await unlocked(readFileSync(config.hub.pgp.privateKey, 'utf8'), passphraseOf(config.hub.pgp.passphraseEnv));
  const currentPublic = await openpgp.readKey({ armoredKey: readFileSync(config.hub.pgp.publicKey, 'utf8') });
  if (currentPublic.getFingerprint() !== current.getFingerprint()) {
    throw new TypeError(`${config.hub.pgp.publicKey} is not the public key of ${config.hub.pgp.privateKey}`);
  }
  const previous = await Promise.all(
    config.hub.pgp.previousKeys.map(async (p) => {
      const key = await unlocked(readFileSync(p.privateKey, 'utf8'), passphraseOf(p.passphraseEnv ?? config.hub.pgp.passphraseEnv));
      return { key, publicKey: key.toPublic(), decryptUntil: new Date(p.decryptUntil) };
    }),
  );
  return { hubPrivateKeys: [current], hubKeys: [{ key: current, publicKey: currentPublic }, ...previous], partnerKeys: await partnerKeysOf(config.partners) };
}

/** The partners' registered keys, parsed, with their periods: at start-up, and again on a reload. */
export async function partnerKeysOf(partners: Pick<Partner, 'id' | 'pgpKeys'>[]): Promise<Map<string, RegisteredKey[]>> {
  const partnerKeys = new Map<string, RegisteredKey[]>();
  for (const partner of partners) {
    try {
      partnerKeys.set(
        partner.id,
        await Promise.all(partner.pgpKeys.map(async (k) => ({ key: await openpgp.readKey({ armoredKey: k.armored }), validFrom: date(k.validFrom), validUntil: date(k.validUntil) }))),
      );
    } catch (err) {
      throw new TypeError(`partner ${partner.id}: ${(err as Error).message}`);
    }
  }
  return partnerKeys;
}

const decryptable = (k: HubKey, at: Date) => k.decryptUntil === undefined || at < k.decryptUntil;
const inForce = (k: RegisteredKey, at: Date) => (k.validFrom === undefined || k.validFrom <= at) && (k.validUntil === undefined || at < k.validUntil);

/** The hub keys that may decrypt at this moment: the current one, and previous ones until their date. */
export function decryptionKeys(keyring: Keyring, at: Date): openpgp.PrivateKey[] {
  return keyring.hubKeys.filter((k) => decryptable(k, at)).map((k) => k.key);
}

/**
 * What GET /v1/hub-key serves: one armoured block with the current key first (clients that read one key
 * take it), then the previous ones that still decrypt.
 */
export function hubPublicKeysArmored(keyring: Keyring, at: Date): string {
  const parts = keyring.hubKeys.filter((k) => decryptable(k, at)).map((k) => k.publicKey.write());
  return openpgp.armor(openpgp.enums.armor.publicKey, Buffer.concat(parts));
}

/** Every hub key, current and previous: checkpoints signed before a rotation must still verify. */
export function hubVerificationKeys(keyring: Keyring): openpgp.PublicKey[] {
  return keyring.hubKeys.map((k) => k.publicKey);
}

/**
 * The keys to encrypt a delivery to: the partner's registered keys in their period, not revoked or
 * expired. During a rotation's overlap both, so that either can decrypt.
 */
export async function encryptionKeys(keyring: Keyring, partnerId: string, at: Date): Promise<openpgp.PublicKey[]> {
  const candidates = (keyring.partnerKeys.get(partnerId) ?? []).filter((k) => inForce(k, at)).map((k) => k.key);
  const usable = await Promise.all(candidates.map((k) => k.getEncryptionKey(undefined, at).then(() => true, () => false)));
  const keys = candidates.filter((_k, i) => usable[i]);
  // A configuration gap, not the sender's mistake: nothing is stored, and the same message succeeds once the partner has a key.
  if (keys.length === 0) throw new HubProblem(Problems.unavailable, `The hub has no OpenPGP key of ${partnerId} in force to encrypt to; nothing was stored, send the message again later`);
  return keys;
}

function registrationOf(keys: RegisteredKey[], keyId: string): RegisteredKey | undefined {
  return keys.find((k) => k.key.getKeyIDs().some((id) => id.toHex() === keyId));
}

/**
 * A signature that verified may still come from a key that is expired or revoked now (OpenPGP judges a
 * key at the signature's own creation time, which the signer chooses), or whose registration has not
 * begun or has ended.
 */
export async function checkSigner(keys: RegisteredKey[], keyId: string, at: Date): Promise<void> {
  const registered = registrationOf(keys, keyId);
  if (!registered) throw new HubProblem(Problems.badSignature, 'The message is signed by a key that is not registered for the calling partner');
  if (registered.validUntil !== undefined && at >= registered.validUntil) {
    throw new HubProblem(Problems.keyExpired, `The signing key ${keyId} was registered until ${registered.validUntil.toISOString()}; sign with the partner’s new key`);
  }
  if (registered.validFrom !== undefined && at < registered.validFrom) {
    throw new HubProblem(Problems.badSignature, `The signing key ${keyId} is registered from ${registered.validFrom.toISOString()} only`);
  }
  const problem = await keyStateProblem(registered.key, keyId, at);
  if (problem) throw problem;
}

async function keyStateProblem(key: openpgp.PublicKey, keyId: string, at: Date): Promise<HubProblem | undefined> {
  const subkey = key.getSubkeys().find((s) => s.getKeyID().toHex() === keyId);
  const revoked = (await key.isRevoked(undefined, undefined, at)) || (subkey !== undefined && (await subkey.isRevoked(undefined as never, undefined as never, at)));
  if (revoked) return new HubProblem(Problems.keyRevoked, `The signing key ${keyId} has been revoked; register the partner’s new key`);
  const expires = [await key.getExpirationTime(), ...(subkey ? [await subkey.getExpirationTime(at)] : [])];
  if (expires.some((e) => e instanceof Date && e <= at)) return new HubProblem(Problems.keyExpired, `The signing key ${keyId} has expired`);
  return undefined;
}

/**
 * Why a signature by one of the partner's registered keys did not verify: the key (or its signing
 * subkey) is revoked or expired at this moment, or else the signature itself is wrong.
 */
export async function signerProblem(keys: openpgp.PublicKey[], keyId: string, at: Date): Promise<HubProblem> {
  const key = keys.find((k) => k.getKeyIDs().some((id) => id.toHex() === keyId));
  if (!key) return new HubProblem(Problems.badSignature, 'The message is signed by a key that is not registered for the calling partner');
  return (await keyStateProblem(key, keyId, at)) ?? new HubProblem(Problems.badSignature, 'The signature is not valid for a key registered for the calling partner');
}
