import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { HubConfig } from '../config/types.ts';
import { startHub } from '../hub.ts';
import { createLogger } from '../observability/logger.ts';
import { ensureDevPki } from '../pki/dev-pki.ts';
import { devIdentities } from '../pki/identities.ts';
import { envelope, familyCase } from '../simulator/cases.ts';
import { loadPartnerCredentials, SimulatedPartner, type ReceivedDelivery } from '../simulator/partner.ts';
import { ensureRedis, removeQueues } from './redis.ts';
import { describeDelivery } from './report.ts';

const PUSH_PARTNER = 'politie';
// `npm run demo -- --once` ends after the report; by default the hub and the partners keep running.
const once = process.argv.includes('--once');
const PULL_EVERY_MS = 5_000;
const configDir = resolve(process.env.HUB_CONFIG_DIR ?? 'config');
const certsDir = resolve('certs');

function step(text: string): void {
  console.log(`\n== ${text}`);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

step('Development PKI');
const pki = await ensureDevPki(certsDir, devIdentities(configDir));
console.log(`certs/: ${pki.created.length} files created, ${pki.kept.length} kept`);

const config: HubConfig = loadConfig(configDir);
step('Redis');
const redis = await ensureRedis(config.hub.redis.url);
console.log(redis ? `started redis-server for this demo at ${config.hub.redis.url}` : `using the Redis at ${config.hub.redis.url}`);

// The demo keeps its own database and queue namespace, and has the police receive by push to show both transports.
const demoDb = resolve(process.env.HUB_DATABASE_PATH ?? 'data/demo.db');
for (const suffix of ['', '-wal', '-shm']) rmSync(demoDb + suffix, { force: true });
config.hub.database = { kind: 'sqlite', path: demoDb };
config.hub.redis.prefix = `aoh-demo-${process.pid}`;
const partners = new Map<string, SimulatedPartner>();
const hubUrl = `https://localhost:${config.hub.listen.port}`;
for (const p of config.partners) partners.set(p.id, new SimulatedPartner(await loadPartnerCredentials(certsDir, p.id), hubUrl));
const pushUrl = await partners.get(PUSH_PARTNER)!.startPushServer('hub');
config.partners = config.partners.map((p) => (p.id === PUSH_PARTNER ? { ...p, transport: { kind: 'push' as const, url: pushUrl } } : p));

step('Hub');
const hub = await startHub(config, { log: createLogger({ level: process.env.HUB_LOG_LEVEL ?? 'warn' }) });
console.log(`hub listening on ${hubUrl} (mutual TLS); ${PUSH_PARTNER} receives by push at ${pushUrl}, the others pull`);

const fixture = familyCase();
const sent: { sender: string; messageId: string; label: string }[] = [];
async function send(sender: string, type: string, purpose: string, payload: Record<string, unknown>, label: string): Promise<void> {
  const env = envelope(type, purpose, fixture.caseRef, payload);
  const answer = await partners.get(sender)!.submit(env);
  const body = JSON.parse(answer.body) as { deliveries?: { recipient: string }[]; detail?: string };
  if (answer.status !== 202) throw new Error(`${label}: HTTP ${answer.status} ${answer.body}`);
  console.log(`${sender} → ${label}: HTTP ${answer.status}, deliveries to ${body.deliveries?.map((d) => d.recipient).join(', ')}`);
  sent.push({ sender, messageId: env.messageId, label });
}

try {
  step(`Case "${fixture.name}" (${fixture.caseRef}), after the seeds' example`);
  await send(fixture.submitter, 'submission', 'intake', fixture.submission, 'case submission (intake)');
  await send('vt', 'agenda', 'preparation', fixture.agenda, 'agenda (preparation)');
  await send('vt', 'minutes', 'execution', fixture.minutes, 'minutes (execution)');

  const expected = new Map<string, number>();
  for (const s of sent) {
    for (const d of await hub.store.disclosuresFor(s.messageId, s.sender)) expected.set(d.recipient, (expected.get(d.recipient) ?? 0) + 1);
  }
  await waitFor('every delivery', async () => {
    for (const [id, partner] of partners) if (config.partners.find((p) => p.id === id)?.transport.kind === 'pull') await partner.pullAll();
    return [...expected].every(([id, n]) => (partners.get(id)?.received.size ?? 0) >= n);
  });

  step('What each partner received (decrypted and verified by the partner) and what the hub withheld (from its disclosure log)');
  const manifests = new Map<string, Awaited<ReturnType<typeof hub.store.disclosuresFor>>[number]>();
  for (const s of sent) for (const d of await hub.store.disclosuresFor(s.messageId, s.sender)) manifests.set(d.deliveryId, d);
  for (const [id, partner] of partners) {
    console.log(`\n${id}:`);
    const deliveries = [...partner.received.values()].sort((a: ReceivedDelivery, b: ReceivedDelivery) => String(a.plaintext.type).localeCompare(String(b.plaintext.type)));
    if (deliveries.length === 0) console.log('  (nothing: no policy allows this partner any of these messages)');
    for (const d of deliveries) {
      const record = manifests.get(String(d.plaintext.deliveryId));
      console.log(`  ${d.plaintext.type} / ${d.plaintext.purpose} from ${d.plaintext.sender}, via ${d.via}, policy ${record?.policyId} v${record?.policyVersion}, status ${record ? (await hub.store.getDelivery(record.deliveryId))?.status : '?'}`);
      for (const l of describeDelivery(d.plaintext.payload, record?.manifest)) console.log(l);
    }
  }
  step('Disclosure log');
  console.log(`${manifests.size} disclosure records, one per delivery, in ${demoDb} (content is stored only encrypted)`);
  if (!once) await keepRunning();
} finally {
  await Promise.all([...partners.values()].map((p) => p.close()));
  await hub.close();
  await removeQueues(config.hub.redis.url, config.hub.redis.prefix);
  redis?.kill();
}

/** Leaves the hub and the simulated partners running (the pulling partners poll their inboxes) until Ctrl-C. */
async function keepRunning(): Promise<void> {
  step('Running');
  console.log(`The hub serves ${hubUrl} and ${config.partners.length} simulated partners use it. Try:`);
  console.log(`  curl --cert certs/privacy-officer/client.crt --key certs/privacy-officer/client.key --cacert certs/ca.crt \\`);
  console.log(`    ${hubUrl}/privacy/v1/log/verify`);
  console.log(`  the privacy console at ${hubUrl}/privacy/console/ (import the privacy officer's certificate into a browser: see README)`);
  console.log('Ctrl-C stops the hub and the partners.');
  const poll = setInterval(() => {
    for (const [id, partner] of partners) if (config.partners.find((p) => p.id === id)?.transport.kind === 'pull') void partner.pullAll().catch(() => undefined);
  }, PULL_EVERY_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(poll);
  console.log('\nstopping');
}
