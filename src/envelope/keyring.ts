import { readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import type { HubConfig } from '../config/types.ts';

/** The OpenPGP keys the hub works with, parsed once at start-up. */
export interface Keyring {
  hubPrivateKeys: openpgp.PrivateKey[];
  hubPublicKeysArmored: string;
  partnerKeys: Map<string, openpgp.PublicKey[]>;
}

async function unlocked(armored: string, passphrase: string | undefined): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  if (key.isDecrypted()) return key;
  if (!passphrase) throw new TypeError('the hub private key is protected: set the variable named by hub.pgp.passphraseEnv');
  return openpgp.decryptKey({ privateKey: key, passphrase });
}

export async function loadKeyring(config: HubConfig, env: NodeJS.ProcessEnv = process.env): Promise<Keyring> {
  const passphrase = config.hub.pgp.passphraseEnv ? env[config.hub.pgp.passphraseEnv] : undefined;
  const hubPrivate = await unlocked(readFileSync(config.hub.pgp.privateKey, 'utf8'), passphrase);
  const partnerKeys = new Map<string, openpgp.PublicKey[]>();
  for (const partner of config.partners) {
    partnerKeys.set(partner.id, await Promise.all(partner.pgpPublicKeysArmored.map((armoredKey) => openpgp.readKey({ armoredKey }))));
  }
  return {
    hubPrivateKeys: [hubPrivate],
    hubPublicKeysArmored: readFileSync(config.hub.pgp.publicKey, 'utf8'),
    partnerKeys,
  };
}
