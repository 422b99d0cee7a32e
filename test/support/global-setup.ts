import { resolve } from 'node:path';
import { ensureDevPki } from '../../src/pki/dev-pki.ts';
import { devIdentities } from '../../src/pki/identities.ts';
import { assertPgReachable } from './pg.ts';
import { assertRedisReachable } from './redis.ts';

/** The tests use the development PKI in certs/, created as `npm run pki:dev` would, the real Redis and the real PostgreSQL. */
export default async function setup(): Promise<void> {
  await ensureDevPki(resolve('certs'), devIdentities(resolve('config')));
  await assertRedisReachable();
  await assertPgReachable();
}
