import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../errors/problem.ts';
import { openStore } from '../store/open.ts';
import { verifyStoredLog } from './verify.ts';

// npm run log:verify: recomputes the disclosure log's tree from the database and checks it against
// every checkpoint the hub signed. Exit 0 when intact, 1 when not, 69 when the database cannot be
// opened, 78 for a broken configuration.
try {
  const config = loadConfig(resolve(process.env.HUB_CONFIG_DIR ?? 'config'));
  // Checkpoints signed before a key rotation verify with the previous keys (their public parts need no passphrase).
  const previous = await Promise.all(config.hub.pgp.previousKeys.map(async (p) => (await openpgp.readPrivateKey({ armoredKey: readFileSync(p.privateKey, 'utf8') })).toPublic()));
  const keys = [...(await openpgp.readKeys({ armoredKeys: readFileSync(config.hub.pgp.publicKey, 'utf8') })), ...previous];
  const store = await openStore(config.hub.database).catch((err: Error) => {
    console.error(`cannot open the ${config.hub.database.kind} database: ${err.message}`);
    process.exit(69); // EX_UNAVAILABLE
  });
  const result = await verifyStoredLog(store.log, keys);
  await store.close();
  if (result.intact) {
    console.log(`intact, ${result.records} records, root ${result.root} (${result.checkpoints} signed checkpoints checked)`);
  } else {
    console.log(`NOT INTACT: record ${result.firstBadRecord}: ${result.reason} (${result.records} records read before it)`);
    process.exitCode = 1;
  }
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exitCode = 78;
}
