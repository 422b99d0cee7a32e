import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type FieldError } from '../errors/problem.ts';
import { policyPlacementProblems, policyProblems } from '../minimisation/validate.ts';
import { refuseOverlappingIdentities } from './identity-overlap.ts';
import { DatabaseUrl, HubFile, PartnerFile, PolicyFile, type Policy } from './schema.ts';
import type { HubConfig, Partner } from './types.ts';

function zodIssues(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function readYaml(file: string): unknown {
  if (!existsSync(file)) throw new ConfigError(file, [{ path: '', message: 'file not found' }]);
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `not valid YAML: ${(err as Error).message}` }]);
  }
}

function parseFile<S extends z.ZodType>(schema: S, file: string, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ConfigError(file, zodIssues(result.error));
  return result.data;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

function readReferenced(file: string, field: string, path: string): string {
  if (!existsSync(path)) {
    throw new ConfigError(file, [{ path: field, message: `${path} does not exist (run npm run pki:dev for development keys)` }]);
  }
  return readFileSync(path, 'utf8');
}

function applyEnvironment(hub: HubConfig['hub'], env: NodeJS.ProcessEnv): void {
  if (env.HUB_REDIS_URL) hub.redis.url = env.HUB_REDIS_URL;
  if (env.HUB_REDIS_PREFIX) hub.redis.prefix = env.HUB_REDIS_PREFIX;
  // A path selects a SQLite file, keeping the file's choice of thread when it names one.
  if (env.HUB_DATABASE_PATH) hub.database = { kind: 'sqlite', path: env.HUB_DATABASE_PATH, ...(hub.database.kind === 'sqlite' && hub.database.thread !== undefined ? { thread: hub.database.thread } : {}) };
  // A URL selects PostgreSQL, whatever the file says, keeping the file's pool size when it names one.
  if (env.HUB_DATABASE_URL) {
    const url = DatabaseUrl.safeParse(env.HUB_DATABASE_URL);
    if (!url.success) throw new ConfigError('HUB_DATABASE_URL', zodIssues(url.error));
    hub.database = { kind: 'postgres', url: url.data, poolSize: hub.database.kind === 'postgres' ? hub.database.poolSize : 10 };
  }
  if (env.HUB_HOST) hub.listen.host = env.HUB_HOST;
  if (env.HUB_PORT) hub.listen.port = Number(env.HUB_PORT);
  if (env.HUB_OPS_HOST) hub.ops.host = env.HUB_OPS_HOST;
  if (env.HUB_OPS_PORT) hub.ops.port = Number(env.HUB_OPS_PORT);
}

/** Cross-file checks: every name a file uses must exist elsewhere in the configuration. */
export function checkConsistency(config: HubConfig, files: { hub: string; partners: Map<string, string>; policies: Map<Policy, string> }): void {
  refuseOverlappingIdentities([
    ...config.operators.map((o, i) => ({ file: files.hub, field: `operators.${i}.certificate`, identity: o.certificate })),
    ...config.partners.map((p) => ({ file: files.partners.get(p.id) ?? 'partners', field: 'certificate', identity: p.certificate })),
  ]);
  const partnerIds = new Set(config.partners.map((p) => p.id));
  if (!partnerIds.has(config.chair)) throw new ConfigError(files.hub, [{ path: 'chair', message: `unknown partner ${config.chair}` }]);
  config.routes.forEach((route, i) => {
    if (route.recipients === 'participants') return;
    const unknown = route.recipients.filter((r) => !partnerIds.has(r));
    if (unknown.length > 0) throw new ConfigError(files.hub, [{ path: `routes.${i}.recipients`, message: `unknown partner ${unknown.join(', ')}` }]);
  });
  config.policies.forEach((policy, i) => {
    const file = files.policies.get(policy) ?? 'policies';
    const earlier = config.policies.slice(0, i);
    if (earlier.some((p) => p.id === policy.id)) throw new ConfigError(file, [{ path: `${policy.id}.id`, message: `policy ${policy.id} is defined twice` }]);
    const problems = [...policyPlacementProblems(policy, earlier, partnerIds), ...policyProblems(policy)];
    if (problems.length > 0) throw new ConfigError(file, problems.map((p) => ({ ...p, path: `${policy.id}.${p.path}` })));
  });
}

/** Loads `hub.yaml`, `partners/*.yaml` and `policies/*.yaml` from a folder; throws ConfigError naming the file and field. */
export function loadConfig(dir: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const hubPath = join(dir, 'hub.yaml');
  const hubFile = parseFile(HubFile, hubPath, readYaml(hubPath));
  applyEnvironment(hubFile.hub, env);
  hubFile.hub.tls.crl.forEach((crl, i) => readReferenced(hubPath, `hub.tls.crl.${i}`, crl));
  hubFile.hub.pgp.previousKeys.forEach((k, i) => readReferenced(hubPath, `hub.pgp.previousKeys.${i}.privateKey`, k.privateKey));

  const partners: Partner[] = [];
  const partnerFiles = new Map<string, string>();
  for (const file of yamlFiles(join(dir, 'partners'))) {
    const data = parseFile(PartnerFile, file, readYaml(file));
    if (partners.some((p) => p.id === data.id)) throw new ConfigError(file, [{ path: 'id', message: `partner ${data.id} is defined twice` }]);
    partnerFiles.set(data.id, file);
    if (data.transport.kind === 'push' && data.transport.ca) readReferenced(file, 'transport.ca', data.transport.ca);
    partners.push({
      ...data,
      adapter: data.adapter ?? data.id,
      pgpKeys: data.pgpPublicKeys.map((p, i) => {
        const entry = typeof p === 'string' ? { file: p } : p;
        return { ...entry, armored: readReferenced(file, `pgpPublicKeys.${i}${typeof p === 'string' ? '' : '.file'}`, entry.file) };
      }),
    });
  }
  if (partners.length === 0) throw new ConfigError(join(dir, 'partners'), [{ path: '', message: 'no partner files found' }]);

  const policies: Policy[] = [];
  const policyFiles = new Map<Policy, string>();
  for (const file of yamlFiles(join(dir, 'policies'))) {
    for (const policy of parseFile(PolicyFile, file, readYaml(file)).policies) {
      policies.push(policy);
      policyFiles.set(policy, relative(process.cwd(), file));
    }
  }

  const config: HubConfig = { hub: hubFile.hub, chair: hubFile.chair, operators: hubFile.operators, meetings: hubFile.meetings, routes: hubFile.routes, partners, policies };
  checkConsistency(config, { hub: hubPath, partners: partnerFiles, policies: policyFiles });
  return config;
}
