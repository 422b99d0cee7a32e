import type { HubConfig, Partner } from '../config/types.ts';
import { ConfigError, HubProblem, Problems } from '../errors/problem.ts';
import type { Logger } from '../observability/logger.ts';
import { partnerKeysOf, type Keyring, type RegisteredKey } from './keyring.ts';
import type { StartedCrypto } from './start-crypto.ts';

export interface KeysStatus {
  loadedAt: string;
  partners: { id: string; keys: { fingerprint: string; validFrom: string | null; validUntil: string | null; inForce: boolean }[] }[];
}

function statusOf(partnerKeys: Map<string, RegisteredKey[]>, now: Date): KeysStatus {
  return {
    loadedAt: now.toISOString(),
    partners: [...partnerKeys].map(([id, keys]) => ({
      id,
      keys: keys.map((k) => ({
        fingerprint: k.key.getFingerprint(),
        validFrom: k.validFrom?.toISOString() ?? null,
        validUntil: k.validUntil?.toISOString() ?? null,
        inForce: (k.validFrom === undefined || k.validFrom <= now) && (k.validUntil === undefined || now < k.validUntil),
      })),
    })),
  };
}

const failed = (detail: string) => new HubProblem(Problems.keysReloadFailed, `Partner keys not reloaded, the previous ones stay in force: ${detail}`);

/**
 * Registers partners' new OpenPGP keys without a restart (on SIGHUP or through the admin API): reads the
 * partner files again and, if every key parses, hands the keys to the keyring and the crypto workers.
 * Only keys and their periods change; a partner added or removed needs a restart.
 */
export class PartnerKeyReloader {
  status: KeysStatus;
  private readonly config: HubConfig;
  private readonly keyring: Keyring;
  private readonly crypto: Pick<StartedCrypto, 'updateKeys'>;
  private readonly loadPartners: (() => Partner[]) | undefined;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(deps: { config: HubConfig; keyring: Keyring; crypto: Pick<StartedCrypto, 'updateKeys'>; loadPartners?: () => Partner[]; log: Logger; now: () => Date }) {
    this.config = deps.config;
    this.keyring = deps.keyring;
    this.crypto = deps.crypto;
    this.loadPartners = deps.loadPartners;
    this.log = deps.log;
    this.now = deps.now;
    this.status = statusOf(deps.keyring.partnerKeys, deps.now());
  }

  async reload(): Promise<KeysStatus> {
    try {
      const partners = this.read();
      const partnerKeys = await partnerKeysOf(partners);
      this.keyring.partnerKeys = partnerKeys;
      await this.crypto.updateKeys(this.keyring);
      for (const partner of this.config.partners) partner.pgpKeys = partners.find((p) => p.id === partner.id)!.pgpKeys;
      this.status = statusOf(partnerKeys, this.now());
    } catch (err) {
      const problem = err instanceof HubProblem ? err : failed((err as Error).message);
      this.log.error({ err: problem.detail }, 'partner keys reload failed');
      throw problem;
    }
    this.log.info({ partners: this.status.partners.map((p) => ({ id: p.id, fingerprints: p.keys.map((k) => k.fingerprint) })) }, 'partner keys reloaded');
    return this.status;
  }

  private read(): Partner[] {
    if (!this.loadPartners) throw failed('this hub was started without a configuration folder to read them from');
    let partners: Partner[];
    try {
      partners = this.loadPartners();
    } catch (err) {
      throw failed(err instanceof ConfigError ? err.message : (err as Error).message);
    }
    const known = this.config.partners.map((p) => p.id).sort();
    const read = partners.map((p) => p.id).sort();
    if (known.join() !== read.join()) {
      throw failed(`the partner files name ${read.join(', ')} where the hub runs with ${known.join(', ')}; adding or removing a partner needs a restart`);
    }
    return partners;
  }
}
