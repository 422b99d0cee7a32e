import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HubFile, PartnerFile } from '../config/schema.ts';
import type { DevIdentity } from './dev-pki.ts';

/**
 * The identities of a configuration, read without its key files (which may not exist yet), so that the
 * development PKI issues certificates whose subjects match what the configuration expects.
 */
export function devIdentities(configDir: string): DevIdentity[] {
  const identities: DevIdentity[] = [];
  const partnersDir = join(configDir, 'partners');
  for (const file of existsSync(partnersDir) ? readdirSync(partnersDir).filter((f) => f.endsWith('.yaml')).sort() : []) {
    const partner = PartnerFile.parse(parseYaml(readFileSync(join(partnersDir, file), 'utf8')));
    identities.push({
      folder: `partners/${partner.id}`,
      name: partner.name,
      subject: { CN: partner.id, O: partner.name, ...partner.certificate.subject },
      pgp: true,
    });
  }
  const hub = HubFile.parse(parseYaml(readFileSync(join(configDir, 'hub.yaml'), 'utf8')));
  for (const operator of hub.operators) {
    identities.push({
      folder: operator.id,
      name: operator.id,
      subject: { CN: operator.id, OU: operator.role, ...operator.certificate.subject },
      pgp: false,
    });
  }
  return identities;
}
