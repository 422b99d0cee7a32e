import { resolve } from 'node:path';
import { ensureDevPki } from './dev-pki.ts';
import { devIdentities } from './identities.ts';

const certsDir = resolve(process.argv[2] ?? 'certs');
const configDir = resolve(process.env.HUB_CONFIG_DIR ?? 'config');

const result = await ensureDevPki(certsDir, devIdentities(configDir));
console.log(`Development PKI in ${certsDir}: ${result.created.length} files created, ${result.kept.length} kept.`);
for (const file of result.created) console.log(`  + ${file}`);
