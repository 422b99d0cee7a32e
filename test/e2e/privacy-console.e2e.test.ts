import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, familyCase, stalkingCase } from '../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../src/simulator/client.ts';
import type { DisclosureEntry, ManifestEntry } from '../../src/disclosure-log/entries.ts';
import { appendLogEntries, execute, preManifestEntry, queryRows } from '../support/db.ts';
import { CERTS, startTestHub, type TestHub } from '../support/hub.ts';

/**
 * The privacy officer's console in a real browser: Debian's chromium, driven by playwright-core, with
 * the privacy officer's client certificate, against a real hub that partners have sent cases to.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let t: TestHub;
let browser: Browser;
let officer: BrowserContext;
let page: Page;
let api: MutualTlsClient;
const profile = mkdtempSync(join(tmpdir(), 'aoh-chromium-'));
const sentTo = new Map<string, number>();
const requestedUrls: string[] = [];
const stalking = stalkingCase();
const family = familyCase();
type Person = { personId: string; role: string; name: string; dateOfBirth: string; bsn: string };
const personOf = (fixture: typeof family, id: string) => (fixture.minutes.persons as Person[]).find((p) => p.personId === id)!;

function contextFor(who: string): Promise<BrowserContext> {
  return browser.newContext({ clientCertificates: [{ origin: t.url, certPath: join(CERTS, who, 'client.crt'), keyPath: join(CERTS, who, 'client.key') }] });
}

async function send(sender: string, type: string, purpose: string, caseRef: string, payload: Record<string, unknown>) {
  const partner = await t.partner(sender);
  const answer = await partner.submit(envelope(type, purpose, caseRef, payload));
  expect(answer.status, answer.body).toBe(202);
  for (const d of (JSON.parse(answer.body) as { deliveries: { recipient: string }[] }).deliveries) sentTo.set(d.recipient, (sentTo.get(d.recipient) ?? 0) + 1);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The console's browser test needs Debian's chromium at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium`);
  }
  // The Node side of playwright's client-certificate proxy makes the TLS connection to the hub: let it
  // trust the development CA, and nothing is waved through.
  setDefaultCACertificates([...getCACertificates('default'), readFileSync(join(CERTS, 'ca.crt'), 'utf8')]);
  t = await startTestHub();
  api = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), t.url);
  const overdueMinutes = {
    ...stalking.minutes,
    informing: [
      { personId: 'p1', status: 'informed', by: 'vt', on: '2026-11-24' },
      { personId: 'p2', status: 'postponed', reason: 'Gevaar voor het slachtoffer', reviewDate: '2020-01-01' },
    ],
  };
  await send('politie', 'submission', 'intake', stalking.caseRef, stalking.submission);
  await send('vt', 'agenda', 'preparation', stalking.caseRef, stalking.agenda);
  await send('vt', 'minutes', 'execution', stalking.caseRef, overdueMinutes);
  await send('vt', 'minutes', 'execution', family.caseRef, family.minutes);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile } });
  officer = await contextFor('privacy-officer');
  page = await officer.newPage();
  page.on('request', (r) => requestedUrls.push(r.url()));
  const answer = await page.goto(`${t.url}/privacy/console/`);
  expect(answer?.status()).toBe(200);
  await page.waitForSelector('body[data-loaded="true"]');
});

afterAll(async () => {
  await browser?.close();
  api?.close();
  await t?.stop();
  rmSync(profile, { recursive: true, force: true });
});

const cellTexts = (selector: string) => page.locator(selector).allInnerTexts();
// The page renders after its requests answer; a busy machine may take a while, and that is no failure.
const poll = <T>(probe: () => Promise<T>) => expect.poll(probe, { timeout: 20_000 });

describe('the privacy officer’s console', () => {
  it('shows the chain as intact, with the number of records and the root the hub computes', async () => {
    const verification = await t.hub.disclosureLog.verify();
    expect(verification.intact).toBe(true);
    if (!verification.intact) return;
    const status = page.locator('#chain-status');
    await poll(() => status.getAttribute('data-state')).toBe('intact');
    const text = await status.innerText();
    expect(text).toContain(`Intact, ${verification.records} records`);
    expect(text).toContain(verification.root);
  });

  it('finds a person by BSN, and by name and date of birth, without the BSN or name in any URL', async () => {
    const victim = personOf(family, 'p1');
    const expected = (await api.json('POST', '/privacy/v1/search', { bsn: victim.bsn })).body.disclosures as { seq: number; recipient: string }[];
    expect(expected.length).toBeGreaterThan(0);
    await page.fill('#bsn', victim.bsn);
    await page.click('#search-form button[type="submit"]');
    await poll(() => page.locator('#results-table tbody tr').count()).toBe(expected.length);
    expect(await cellTexts('#results-table tbody tr td:nth-child(1)')).toEqual(expected.map((d) => `#${d.seq}`));
    expect(new Set(await cellTexts('#results-table tbody tr td:nth-child(7)'))).toEqual(new Set([family.caseRef]));
    expect((await cellTexts('#results-table tbody tr td:nth-child(4)')).sort()).toEqual(expected.map((d) => d.recipient).sort());

    await page.fill('#bsn', '');
    await page.fill('#name', victim.name.toUpperCase());
    await page.fill('#dateOfBirth', victim.dateOfBirth);
    const [byName] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/privacy/v1/search')), page.click('#search-form button[type="submit"]')]);
    expect(byName.request().postDataJSON()).toEqual({ name: victim.name.toUpperCase(), dateOfBirth: victim.dateOfBirth, limit: 500 });
    expect(((await byName.json()) as { disclosures: { seq: number }[] }).disclosures.map((d) => d.seq)).toEqual(expected.map((d) => d.seq));
    await poll(async () => (await cellTexts('#results-table tbody tr td:nth-child(1)')).join()).toBe(expected.map((d) => `#${d.seq}`).join());
    for (const url of requestedUrls) {
      expect(url).not.toContain(victim.bsn);
      expect(decodeURIComponent(url).toLowerCase()).not.toContain(victim.name.toLowerCase());
    }
  });

  it('opens a record with its manifest and its status history', async () => {
    const first = page.locator('#results-table tbody tr').first();
    const seq = Number((await first.locator('td').first().innerText()).slice(1));
    const { record, status } = (await api.json('GET', `/privacy/v1/records/${seq}`)).body;
    await first.locator('button').press('Enter');
    await poll(() => page.locator('#detail').isVisible()).toBe(true);
    expect(await page.locator('#detail-h').innerText()).toBe(`Record #${seq}: ${record.sender} → ${record.recipient}`);
    expect(await cellTexts('#detail-disclosed tbody tr td:nth-child(1)')).toEqual(record.manifest.disclosed.map((d: { path: string }) => d.path));
    expect(await cellTexts('#detail-withheld tbody tr td:nth-child(1)')).toEqual(record.manifest.withheld.map((d: { path: string }) => d.path));
    expect(record.manifest.withheld.length).toBeGreaterThan(0);
    expect(await cellTexts('#detail-status tbody tr td:nth-child(2)')).toEqual(status.map((s: { event: string }) => s.event));
    expect(status.length).toBeGreaterThan(0);
    expect(await page.locator('#detail-facts').innerText()).toContain(record.legalBasis);
    // The manifest comes from the delivery's own entry, which the record names with the digest it carries.
    expect(await page.locator('#detail-facts').innerText()).toContain(`record #${record.manifestSeq}; digest ${record.manifestDigest}`);
    expect(record.manifestSeq).toBeLessThan(seq);
  });

  it('exports the current search as CSV', async () => {
    const rows = await page.locator('#results-table tbody tr').count();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toContain('seq');
    expect(lines).toHaveLength(rows + 1);
    expect(csv).not.toContain(personOf(family, 'p1').bsn);
  });

  it('produces the report for a person: recipients, categories, when, purpose and legal basis, printable', async () => {
    const victim = personOf(stalking, 'p1');
    const report = (await api.json('POST', '/privacy/v1/report', { bsn: victim.bsn })).body as { disclosures: { to: string; categories: string[]; legalBasis: string; purpose: string; keptUntil: string }[] };
    const recipients = [...new Set(report.disclosures.map((d) => d.to))].sort();
    expect(new Set(report.disclosures.map((d) => d.purpose))).toEqual(new Set(['intake', 'preparation', 'execution']));
    await page.fill('#name', '');
    await page.fill('#dateOfBirth', '');
    await page.fill('#bsn', victim.bsn);
    await page.click('#make-report');
    await poll(() => page.locator('#report').isVisible()).toBe(true);
    expect(await cellTexts('#report-recipients tbody th')).toEqual(recipients);
    for (const to of recipients) {
      const categories = [...new Set(report.disclosures.filter((d) => d.to === to).flatMap((d) => d.categories))].sort().join(', ');
      expect(await page.locator('#report-recipients tbody tr', { has: page.locator(`th:text-is("${to}")`) }).locator('td').first().innerText()).toBe(categories);
    }
    expect(await page.locator('#report-disclosures tbody tr').count()).toBe(report.disclosures.length);
    expect(await page.locator('#report-disclosures').innerText()).toContain(report.disclosures[0]!.legalBasis);
    // How long each record is kept (art. 15(1)(d)): the shipped retention of 1825 days, shown as its date.
    const keptUntil = await page.locator('#report-disclosures tbody tr td:nth-child(10) time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
    expect(keptUntil).toEqual(report.disclosures.map((d) => d.keptUntil));
    expect(Date.parse(report.disclosures[0]!.keptUntil) - Date.now()).toBeGreaterThan(1824 * 86_400_000);

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#report').isVisible()).toBe(true);
    expect(await page.locator('#search').isVisible()).toBe(false);
    expect(await page.locator('#print-report').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
  });

  it('draws the chart of disclosures per partner and purpose from the figures, one bar segment per day, recipient and purpose', async () => {
    const { series } = (await api.json('GET', '/privacy/v1/stats')).body as { series: { day: string; recipient: string; purpose: string; disclosures: number }[] };
    const bars = page.locator('#chart-area svg rect.bar');
    expect(await bars.count()).toBe(series.length);
    const drawn = await bars.evaluateAll((rects) => rects.map((r) => ({ recipient: r.getAttribute('data-recipient')!, purpose: r.getAttribute('data-purpose')!, count: Number(r.getAttribute('data-count')), height: Number(r.getAttribute('height')) })));
    const perRecipient = new Map<string, number>();
    for (const d of drawn) perRecipient.set(d.recipient, (perRecipient.get(d.recipient) ?? 0) + d.count);
    expect(Object.fromEntries(perRecipient)).toEqual(Object.fromEntries(sentTo));
    expect(new Set(drawn.map((d) => d.purpose))).toEqual(new Set(['intake', 'preparation', 'execution']));
    // Heights are proportional to the counts.
    const unit = drawn[0]!.height / drawn[0]!.count;
    for (const d of drawn) expect(d.height).toBeCloseTo(d.count * unit, 3);
    expect(await page.locator('#chart-area .legend li').count()).toBe(new Set(series.map((s) => `${s.recipient}|${s.purpose}`)).size);
  });

  it('lists the persons who are overdue to be told', async () => {
    const { overdue } = (await api.json('GET', '/privacy/v1/informing/overdue')).body as { overdue: { caseRef: string; role: string }[] };
    expect(overdue).toEqual([expect.objectContaining({ caseRef: stalking.caseRef, role: 'suspect' })]);
    expect(await cellTexts('#overdue-table tbody tr td:nth-child(1)')).toEqual([stalking.caseRef]);
    expect(await cellTexts('#overdue-table tbody tr td:nth-child(2)')).toEqual(['suspect']);
  });

  it('refuses partner and administrator certificates, for the page and for its script', async () => {
    for (const who of ['partners/vt', 'admin']) {
      const context = await contextFor(who);
      const other = await context.newPage();
      for (const path of ['/privacy/console/', '/privacy/console/console.js']) {
        const answer = await other.goto(`${t.url}${path}`);
        expect(answer?.status(), `${who} ${path}`).toBe(403);
        expect(await answer?.text()).toContain('wrong-role');
      }
      await context.close();
    }
  });

  it('shows its own audit trail: who asked what, with pseudonyms instead of the BSN or name', async () => {
    await page.click('#load-audit');
    await poll(() => page.locator('#audit-table tbody tr').count()).toBeGreaterThan(0);
    const actions = await cellTexts('#audit-table tbody tr td:nth-child(3)');
    expect(actions).toEqual(expect.arrayContaining(['search', 'record', 'report', 'verify', 'stats', 'informing-overdue']));
    expect(new Set(await cellTexts('#audit-table tbody tr td:nth-child(2)'))).toEqual(new Set(['privacy-officer']));
    const criteria = (await cellTexts('#audit-table tbody tr td:nth-child(5)')).join('\n');
    expect(criteria).toContain('pseudonymised');
    for (const p of [personOf(family, 'p1'), personOf(stalking, 'p1')]) {
      expect(criteria).not.toContain(p.bsn);
      expect(criteria.toLowerCase()).not.toContain(p.name.toLowerCase());
    }
  });

  // After the counts and the chart: it adds a line to the log.
  it('opens a record of the log’s old shape, which carries its manifest itself', async () => {
    const [politie] = (await api.json('POST', '/privacy/v1/search', { partner: 'politie', caseRef: family.caseRef, limit: 1 })).body.disclosures as { deliveryId: string }[];
    const entries = (await t.hub.store.log.entriesOfDelivery(politie!.deliveryId)).map((e) => e.entry!);
    const manifest = entries.find((e) => e.kind === 'manifest') as ManifestEntry;
    const current = entries.find((e) => e.kind === 'disclosure') as DisclosureEntry;
    await appendLogEntries(t.config.hub.database, [preManifestEntry(current, manifest, { deliveryId: 'delivery-before-manifest-entries', caseRef: 'VT-2025-000001', subject: null })]);
    for (const id of ['bsn', 'name', 'dateOfBirth']) await page.fill(`#${id}`, '');
    await page.fill('#caseRef', 'VT-2025-000001');
    await page.click('#search-form button[type="submit"]');
    await poll(() => page.locator('#results-table tbody tr').count()).toBe(1);
    await page.locator('#results-table tbody tr button').first().press('Enter');
    await poll(() => page.locator('#detail-facts').innerText()).toContain('in this record itself');
    expect(await cellTexts('#detail-disclosed tbody tr td:nth-child(1)')).toEqual(manifest.manifest.disclosed.map((d) => d.path));
    expect(await cellTexts('#detail-withheld tbody tr td:nth-child(1)')).toEqual(manifest.manifest.withheld.map((d) => d.path));
    expect(manifest.manifest.withheld.length).toBeGreaterThan(0);
    await page.fill('#caseRef', '');
  });

  // Last, since it breaks the log for good: an intruder edits a record directly in the database.
  it('shows the first bad record once a record was altered in the database', async () => {
    const [row] = await queryRows(t.config.hub.database, 'SELECT entry FROM log_entries WHERE seq = 2');
    const edited = JSON.stringify({ ...JSON.parse(String(row!.entry)), caseRef: 'VT-2026-999999' }).replace(/'/g, "''");
    await execute(t.config.hub.database, `UPDATE log_entries SET entry = '${edited}' WHERE seq = 2`, { bypassTriggers: true });
    await page.click('#verify-again');
    const status = page.locator('#chain-status');
    await poll(() => status.getAttribute('data-state')).toBe('broken');
    expect(await status.innerText()).toContain('Not intact: the first bad record is #2.');
  });
});
