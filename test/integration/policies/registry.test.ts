import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { Policy } from '../../../src/config/schema.ts';
import { HubProblem } from '../../../src/errors/problem.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { PolicyRegistry } from '../../../src/policies/registry.ts';
import { openStore } from '../../../src/store/open.ts';
import type { HubStore } from '../../../src/store/types.ts';
import { execute } from '../../support/db.ts';

const config = loadConfig(resolve('config'), {});
const partnerIds = new Set(config.partners.map((p) => p.id));
const log = createLogger({ level: 'silent' });
const dirs: string[] = [];
const stores: HubStore[] = [];

async function store(path?: string): Promise<HubStore> {
  const dir = mkdtempSync(join(tmpdir(), 'aoh-policies-'));
  dirs.push(dir);
  const s = await openStore({ kind: 'sqlite', path: path ?? join(dir, 'hub.db') });
  stores.push(s);
  return s;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const police = () => structuredClone(config.policies.find((p) => p.id === 'politie-execution')!);

async function refusal(promise: Promise<unknown>): Promise<HubProblem> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HubProblem);
  return err as HubProblem;
}

describe('policy versions', () => {
  it('publishes the shipped policies once, and a shipped policy again only when its version rises', async () => {
    const s = await store();
    const first = await PolicyRegistry.open(s, config.policies, partnerIds, log);
    expect(first.current().map((p) => p.id).sort()).toEqual(config.policies.map((p) => p.id).sort());
    await PolicyRegistry.open(s, config.policies, partnerIds, log);
    expect((await s.policyVersions()).length).toBe(config.policies.length);

    const raised: Policy = { ...police(), version: 2, legalBasis: 'Wpg art. 16, gewijzigd' };
    const shipped = config.policies.map((p) => (p.id === raised.id ? raised : p));
    const again = await PolicyRegistry.open(s, shipped, partnerIds, log);
    expect(again.latest('politie-execution')?.policy.legalBasis).toBe('Wpg art. 16, gewijzigd');
    expect(again.history('politie-execution').map((v) => v.author)).toEqual(['config', 'config']);
  });

  it('publishes an administrator’s change as the next version and keeps the earlier one readable', async () => {
    const registry = await PolicyRegistry.open(await store(), config.policies, partnerIds, log);
    const { version: _v, ...document } = police();
    document.rules = document.rules.filter((r) => !('category' in r && r.category === 'criminal-justice'));
    const published = await registry.publish({ id: 'politie-execution', document: { ...document, comment: 'no criminal-justice' }, author: 'admin', basedOn: 1 });
    expect(published.policy.version).toBe(2);
    expect(published.author).toBe('admin');
    expect(registry.current().find((p) => p.id === 'politie-execution')?.version).toBe(2);
    expect(registry.history('politie-execution')[0]?.policy.rules).toContainEqual({ category: 'criminal-justice', action: 'keep' });
  });

  it('refuses a rule over a field or category that does not exist, naming the rule', async () => {
    const registry = await PolicyRegistry.open(await store(), config.policies, partnerIds, log);
    const document = police();
    document.rules = [...document.rules, { path: '/step2/nonsense', action: 'keep' }, { category: 'horoscope', action: 'keep' }];
    const problem = await refusal(registry.publish({ id: 'politie-execution', document: { ...document, version: undefined }, author: 'admin' }));
    expect(problem.status).toBe(422);
    const n = police().rules.length;
    expect(problem.errors).toEqual([
      { path: `/rules/${n}`, message: expect.stringContaining('no field /step2/nonsense') },
      { path: `/rules/${n + 1}`, message: 'unknown category horoscope' },
    ]);
    expect(registry.latest('politie-execution')?.policy.version).toBe(1);
  });

  it('refuses an unknown action, an unknown recipient and a policy that overlaps another', async () => {
    const registry = await PolicyRegistry.open(await store(), config.policies, partnerIds, log);
    const badAction = await refusal(registry.publish({ id: 'politie-execution', document: { ...police(), version: undefined, rules: [{ category: 'identification', action: 'publish' }] }, author: 'admin' }));
    expect(badAction.errors?.[0]?.path).toBe('/rules/0');
    const overlap = await refusal(registry.publish({ id: 'politie-extra', document: { ...police(), id: 'politie-extra', version: undefined }, author: 'admin' }));
    expect(overlap.errors).toEqual([{ path: '/messageTypes/0', message: expect.stringContaining('already covered by policy politie-execution') }]);
    const stranger = await refusal(registry.publish({ id: 'gemeente-execution', document: { ...police(), id: 'gemeente-execution', recipient: 'gemeente', version: undefined }, author: 'admin' }));
    expect(stranger.errors).toEqual([{ path: '/recipient', message: 'unknown partner gemeente' }]);
  });

  it('publishes a processing activity’s own retention, and refuses one that is not a positive whole number of days', async () => {
    const registry = await PolicyRegistry.open(await store(), config.policies, partnerIds, log);
    for (const retentionDays of [0, 1.5, '3650']) {
      const problem = await refusal(registry.publish({ id: 'politie-execution', document: { ...police(), version: undefined, retentionDays }, author: 'admin' }));
      expect(problem.errors, String(retentionDays)).toEqual([{ path: '/retentionDays', message: expect.any(String) }]);
    }
    await registry.publish({ id: 'politie-execution', document: { ...police(), version: undefined, retentionDays: 3650 }, author: 'admin' });
    await registry.refresh();
    expect(registry.history('politie-execution').map((v) => v.policy.retentionDays)).toEqual([undefined, 3650]);
  });

  it('refuses a change based on a version that is no longer the latest', async () => {
    const registry = await PolicyRegistry.open(await store(), config.policies, partnerIds, log);
    const document = { ...police(), version: undefined };
    await registry.publish({ id: 'politie-execution', document, author: 'admin', basedOn: 1 });
    const stale = await refusal(registry.publish({ id: 'politie-execution', document, author: 'admin', basedOn: 1 }));
    expect(stale.status).toBe(412);
    const wrongNumber = await refusal(registry.publish({ id: 'politie-execution', document: { ...document, version: 7 }, author: 'admin' }));
    expect(wrongNumber.status).toBe(409);
  });

  it('keeps published versions across a restart, ahead of the shipped file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aoh-policies-'));
    dirs.push(dir);
    const path = join(dir, 'hub.db');
    const first = await store(path);
    const registry = await PolicyRegistry.open(first, config.policies, partnerIds, log);
    await registry.publish({ id: 'politie-execution', document: { ...police(), version: undefined, legalBasis: 'na herstart' }, author: 'admin' });
    await first.close();
    const reopened = await PolicyRegistry.open(await store(path), config.policies, partnerIds, log);
    expect(reopened.latest('politie-execution')?.policy).toMatchObject({ version: 2, legalBasis: 'na herstart' });
  });

  it('keeps versions append-only in the database', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aoh-policies-')), 'hub.db');
    dirs.push(join(path, '..'));
    await PolicyRegistry.open(await store(path), config.policies, partnerIds, log);
    await expect(execute({ kind: 'sqlite', path }, "UPDATE policy_versions SET author = 'mallory'")).rejects.toThrow(/append-only/);
    await expect(execute({ kind: 'sqlite', path }, 'DELETE FROM policy_versions')).rejects.toThrow(/append-only/);
  });
});
