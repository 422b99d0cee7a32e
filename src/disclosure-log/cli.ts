import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as openpgp from 'openpgp';
import { z } from 'zod';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../errors/problem.ts';
import { openStore } from '../store/open.ts';
import type { Checkpoint } from './types.ts';
import { verifyStoredLog } from './verify.ts';

const KeptCheckpoint = z.object({ treeSize: z.number().int().positive(), rootHash: z.string(), signedAt: z.string(), statement: z.string(), signature: z.string() });

/** A checkpoint as GET /v1/log/checkpoint served it, saved to a file by whoever fetched it. */
function keptCheckpoint(path: string): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(path, [{ path: '', message: `not a readable JSON file (${(err as Error).message})` }]);
  }
  const parsed = KeptCheckpoint.safeParse(json);
  if (!parsed.success) throw new ConfigError(path, parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: `${i.message} (a checkpoint as GET /v1/log/checkpoint answers it)` })));
  return parsed.data;
}

// npm run log:verify [-- --checkpoint saved.json …]: recomputes the disclosure log's tree from the
// database and checks it against every checkpoint the hub signed and stored, and against checkpoints
// kept outside the database. Exit 0 when intact, 1 when not, 69 when the database cannot be opened,
// 78 for a broken configuration or checkpoint file.
try {
  const { values } = parseArgs({ options: { checkpoint: { type: 'string', multiple: true, default: [] } } });
  const kept = values.checkpoint.map(keptCheckpoint);
  const config = loadConfig(resolve(process.env.HUB_CONFIG_DIR ?? 'config'));
  // Checkpoints signed before a key rotation verify with the previous keys (their public parts need no passphrase).
  const previous = await Promise.all(config.hub.pgp.previousKeys.map(async (p) => (await openpgp.readPrivateKey({ armoredKey: readFileSync(p.privateKey, 'utf8') })).toPublic()));
  const keys = [...(await openpgp.readKeys({ armoredKeys: readFileSync(config.hub.pgp.publicKey, 'utf8') })), ...previous];
  const store = await openStore(config.hub.database).catch((err: Error) => {
    console.error(`cannot open the ${config.hub.database.kind} database: ${err.message}`);
    process.exit(69); // EX_UNAVAILABLE
  });
  const result = await verifyStoredLog(store.log, keys, kept);
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
