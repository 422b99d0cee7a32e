import { json, Router, type Response } from 'express';
import { z } from 'zod';
import type { HubConfig } from '../config/types.ts';
import type { DisclosureEntry } from '../disclosure-log/entries.ts';
import { isOverdue } from '../disclosure-log/informing.ts';
import type { DisclosureLog } from '../disclosure-log/service.ts';
import { subjectPseudonyms } from '../disclosure-log/subjects.ts';
import type { LogSearch, StoredLogEntry } from '../disclosure-log/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import type { Manifest } from '../minimisation/engine.ts';
import { principalOf, requireRole } from '../ingress/authenticate.ts';
import { limit, queryOf, strictQuery } from '../ingress/query.ts';
import type { HubStore } from '../store/types.ts';
import { toCsv } from './csv.ts';

export interface PrivacyDeps {
  config: HubConfig;
  store: HubStore;
  disclosureLog: DisclosureLog;
  pseudonymKey: Uint8Array;
}

// A person is looked up by BSN, or by name and date of birth; both arrive in a POST body, never a URL.
const Person = {
  bsn: z.string().regex(/^[0-9]{9}$/).optional(),
  name: z.string().min(1).max(200).optional(),
  dateOfBirth: z.iso.date().optional(),
};
// The log's times are UTC ISO strings and compare as text: a time with an offset is first put in UTC.
const When = z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString()).or(z.iso.date());
const Search = z
  .object({
    ...Person,
    partner: z.string().max(32).optional(),
    purpose: z.string().max(32).optional(),
    type: z.string().max(32).optional(),
    caseRef: z.string().max(100).optional(),
    from: When.optional(),
    to: When.optional(),
    limit: z.number().int().min(1).max(10_000).default(500),
  })
  .strict()
  .refine((q) => !(q.name && !q.dateOfBirth) && !(q.dateOfBirth && !q.name), { message: 'name and dateOfBirth go together' });
const StatsRange = z.object({ from: When.optional(), to: When.optional() }).strict();
const AuditQuery = z.object({ limit: limit(1000, 100) }).strict();
const ReportFor = z
  .object(Person)
  .strict()
  .refine((p) => p.bsn !== undefined || (p.name !== undefined && p.dateOfBirth !== undefined), { message: 'a BSN, or a name with a date of birth' });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new HubProblem(Problems.malformedRequest, 'Invalid request body', result.error.issues.map((i) => ({ path: '/' + i.path.join('/'), message: i.message })));
  return result.data;
}

/** The pseudonyms under which the log knows a person; the BSN or name itself goes no further. */
function subjectsFor(key: Uint8Array, p: { bsn?: string | undefined; name?: string | undefined; dateOfBirth?: string | undefined }): string[] | undefined {
  if (!p.bsn && !p.name) return undefined;
  return Object.values(subjectPseudonyms(key, p));
}

const disclosure = (e: StoredLogEntry) => e.entry as DisclosureEntry;

function summary(e: StoredLogEntry) {
  const d = disclosure(e);
  return {
    seq: e.seq, occurredAt: d.occurredAt, loggedAt: d.loggedAt, sender: d.sender, recipient: d.recipient, type: d.type, purpose: d.purpose,
    legalBasis: d.legalBasis, policy: d.processingActivity, caseRef: d.caseRef, categories: d.categories, subject: d.subject, messageId: d.messageId, deliveryId: d.deliveryId,
    ciphertextDigest: d.ciphertextDigest, traceId: d.traceId, retainUntil: d.retainUntil,
  };
}

/** The privacy officer's console API: read-only, and every question asked is itself recorded. */
export function privacyRouter(deps: PrivacyDeps): Router {
  const router = Router();
  router.use(requireRole('privacy-officer'));
  router.use(strictQuery({ 'GET /stats': StatsRange, 'GET /audit': AuditQuery }));
  router.use(json({ limit: '16kb' }));
  const audit = (res: Response, action: string, query: Record<string, unknown>, results: number) =>
    deps.store.log.audit({ officer: principalOf(res).id, action, query, results, at: new Date().toISOString() });

  router.post('/search', async (req, res) => {
    const { bsn, name, dateOfBirth, ...criteria } = parse(Search, req.body);
    const subjects = subjectsFor(deps.pseudonymKey, { bsn, name, dateOfBirth });
    const q: LogSearch = { ...criteria, ...(subjects ? { subjects } : {}) };
    const found = (await deps.store.log.search(q)).map(summary);
    await audit(res, 'search', { ...q, ...(subjects ? { person: 'pseudonymised' } : {}) }, found.length);
    if (req.accepts(['json', 'text/csv']) === 'text/csv') {
      res.type('text/csv').attachment('disclosures.csv').send(toCsv(found));
      return;
    }
    res.json({ disclosures: found });
  });

  router.get('/records/:seq', async (req, res) => {
    const seq = Number(req.params.seq);
    const found = Number.isInteger(seq) ? await deps.store.log.entryAt(seq) : undefined;
    if (!found || found.entry?.kind !== 'disclosure') throw new HubProblem(Problems.notFound, `No disclosure record ${req.params.seq}`);
    const ofDelivery = (await deps.store.log.entriesOfDelivery(disclosure(found).deliveryId)).map((e) => ({ seq: e.seq, ...e.entry! }));
    // The manifest is logged once per delivery; the record shows it beside the digest it carries. An
    // entry written before that carries its manifest itself, and no digest.
    const manifest = ofDelivery.find((e) => e.kind === 'manifest');
    const own = (found.entry as { manifest?: Manifest }).manifest;
    await audit(res, 'record', { seq }, 1);
    res.json({ record: { seq: found.seq, ...found.entry, manifest: manifest?.manifest ?? own, manifestSeq: manifest?.seq }, status: ofDelivery.filter((e) => e.kind === 'status') });
  });

  router.post('/report', async (req, res) => {
    const person = parse(ReportFor, req.body);
    const subjects = subjectsFor(deps.pseudonymKey, person)!;
    const found = (await deps.store.log.search({ subjects, limit: 100_000 })).map(summary);
    await audit(res, 'report', { subjects }, found.length);
    res.json({
      generatedAt: new Date().toISOString(),
      // GDPR art. 15(1)(d): how long the record of each disclosure is kept.
      disclosures: found.map((d) => ({ when: d.occurredAt, from: d.sender, to: d.recipient, type: d.type, purpose: d.purpose, legalBasis: d.legalBasis, categories: d.categories, role: d.subject?.role, caseRef: d.caseRef, keptUntil: d.retainUntil })),
    });
  });

  router.get('/log/verify', async (_req, res) => {
    const result = await deps.disclosureLog.verify();
    await audit(res, 'verify', {}, result.records);
    res.json({ ...result, checkpoint: result.intact ? await deps.disclosureLog.checkpoint() : undefined });
  });

  router.get('/informing/overdue', async (_req, res) => {
    const today = new Date().toISOString().slice(0, 10);
    const overdue = (await deps.store.log.informing()).filter((r) => isOverdue(r, today, deps.config.hub.log.informingDecisionDays));
    await audit(res, 'informing-overdue', {}, overdue.length);
    res.json({ today, overdue });
  });

  router.get('/stats', async (_req, res) => {
    const range = queryOf(res, StatsRange);
    const series = await deps.store.log.stats({ ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) });
    await audit(res, 'stats', { from: range.from, to: range.to }, series.reduce((n, s) => n + s.disclosures, 0));
    res.json({ series });
  });

  router.get('/audit', async (_req, res) => {
    res.json({ audit: await deps.store.log.auditTrail(queryOf(res, AuditQuery).limit) });
  });
  return router;
}
