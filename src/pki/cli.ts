import { resolve } from 'node:path';
import { ensureDevPki, revokeDevCertificate } from './dev-pki.ts';
import { devIdentities } from './identities.ts';

const configDir = resolve(process.env.HUB_CONFIG_DIR ?? 'config');

if (process.argv[2] === 'revoke') {
  // npm run pki:dev -- revoke <folder, such as partners/politie> [certs directory]
  const folder = process.argv[3];
  if (!folder) {
    console.error('usage: npm run pki:dev -- revoke <folder under certs/, such as partners/politie> [certs directory]');
    process.exit(64);
  }
  const certsDir = resolve(process.argv[4] ?? 'certs');
  try {
    const serial = revokeDevCertificate(certsDir, folder);
    console.log(`Revoked ${folder}/client.crt (serial ${serial}); ${certsDir}/ca.crl rewritten. Reload the hub: kill -HUP <pid> or POST /admin/v1/tls/reload.`);
  } catch (err) {
    console.error(`Not revoked: ${(err as Error).message}`);
    process.exit(1);
  }
} else {
  const certsDir = resolve(process.argv[2] ?? 'certs');
  const result = await ensureDevPki(certsDir, devIdentities(configDir));
  console.log(`Development PKI in ${certsDir}: ${result.created.length} files created, ${result.kept.length} kept.`);
  for (const file of result.created) console.log(`  + ${file}`);
}
