import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdapters } from '../../../adapters/registry.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { validateEnvelope } from '../../../src/messages/index.ts';
import { ALL_CASES, envelope } from '../../../src/simulator/cases.ts';
import { planDeliveries } from '../../../src/submission/plan.ts';
import { leaves } from '../../support/domain-table.ts';

const config = loadConfig(resolve('config'), {});
const adapters = await loadAdapters([...config.partners.map((p) => p.adapter), 'canonical']);
const ctx = { config, adapters, pseudonymKey: new Uint8Array(32), newId: () => 'delivery-1' };

describe('partner adapters', () => {
  it('exist for the five partners and name their vocabulary', () => {
    expect([...adapters.keys()].sort()).toEqual(['canonical', 'om', 'politie', 'reclassering', 'rvdk', 'vt']);
    expect(adapters.get('vt')?.format).toBe('clavis-v1');
  });

  it('refuses an adapter folder that does not exist', async () => {
    await expect(loadAdapters(['gemeente-nope'])).rejects.toThrow(/adapters\/gemeente-nope\/index.ts/);
  });

  it('map only what the policy let through: every value in a mapped document is in the view or the envelope', () => {
    for (const build of ALL_CASES) {
      const c = build();
      for (const [type, purpose, payload] of [['minutes', 'execution', c.minutes], ['agenda', 'preparation', c.agenda]] as const) {
        const env = validateEnvelope(envelope(type, purpose, c.caseRef, payload));
        for (const d of planDeliveries(env, 'vt', ctx).deliveries) {
          const delivered = JSON.parse(d.plaintext);
          const allowed = new Set(leaves({ ...delivered, mapped: undefined }).map((l) => JSON.stringify(l.value)));
          for (const leaf of leaves(delivered.mapped.document)) {
            if (typeof leaf.value === 'string' && leaf.value.length > 0 && !/^Zie contactjournaal/.test(leaf.value)) {
              expect(allowed.has(JSON.stringify(leaf.value)), `${d.recipient}${leaf.path}`).toBe(true);
            }
          }
        }
      }
    }
  });

  it('hand a partner on the canonical vocabulary its payload once, naming the format', () => {
    const c = ALL_CASES[0]!();
    const canonicalPolice = { ...config, partners: config.partners.map((p) => (p.id === 'politie' ? { ...p, adapter: 'canonical' } : p)) };
    const env = validateEnvelope(envelope('minutes', 'execution', c.caseRef, c.minutes));
    const plan = planDeliveries(env, 'vt', { ...ctx, config: canonicalPolice });
    const police = plan.deliveries.find((d) => d.recipient === 'politie')!;
    const delivered = JSON.parse(police.plaintext);
    expect(delivered.mapped).toEqual({ format: 'canonical-v1' });
    const longest = leaves(delivered.payload).map((l) => String(l.value)).sort((a, b) => b.length - a.length)[0]!;
    expect(longest.length).toBeGreaterThan(20);
    expect(police.plaintext.split(JSON.stringify(longest).slice(1, -1)).length - 1).toBe(1);
  });

  it('file Veilig Thuis’s not-for-client information in the contact journal with an alert on the case file', () => {
    const c = ALL_CASES[0]!();
    const mapped = adapters.get('vt')!.map!({
      deliveryId: 'd', messageId: 'm', type: 'minutes', purpose: 'execution', sender: 'vt', caseRef: c.caseRef, createdAt: '', policy: { id: 'p', version: 1 },
      payload: c.minutes,
    }) as { contactjournaal: { nietVoorClient: string }; dossier: { signaal: string } };
    expect(mapped.contactjournaal.nietVoorClient).toBe(c.minutes.notForClient);
    expect(mapped.dossier.signaal).toMatch(/contactjournaal/);
  });

  it('lose nothing Veilig Thuis receives: every value of a submission, minutes, enrichment answer or feedback lands in Clavis', () => {
    const c = ALL_CASES[3]!();
    const payloads: [string, Record<string, unknown>][] = [
      ['submission', c.submission],
      ['minutes', c.minutes],
      ['enrichment-answer', { requestMessageId: '6f1c1c3e-8f43-4a8e-9a55-2f1d2a0c9b11', results: [{ personId: 'p2', known: true, kind: 'Reclasseringstoezicht', contact: { name: 'A. Bakker', phone: '+31 30 765 4321' } }] }],
      ['feedback', { minutesMessageId: '0b9a4c67-34a3-4a9f-8d0c-5cbd2b0e7d22', actions: [{ action: 'Huisverbod opgelegd', status: 'done', note: 'Tien dagen' }], returnToMeeting: true }],
    ];
    for (const [type, payload] of payloads) {
      const meeting = { urgent: false as const, date: '2026-11-24', startsAt: '2026-11-24T09:00:00.000Z', cutOff: '2026-11-23T11:00:00.000Z', deferred: false };
      const mapped = adapters.get('vt')!.map!({ deliveryId: 'd', messageId: 'm', type, purpose: 'intake', sender: 'politie', caseRef: c.caseRef, createdAt: '', policy: { id: 'p', version: 1 }, meeting, payload });
      const inClavis = new Set(leaves(mapped).map((l) => JSON.stringify(l.value)));
      for (const leaf of leaves(payload)) expect(inClavis.has(JSON.stringify(leaf.value)), `${type}${leaf.path}`).toBe(true);
      if (type === 'submission') expect(leaves(mapped).map((l) => l.value)).toEqual(expect.arrayContaining(['2026-11-23T11:00:00.000Z']));
    }
  });
});
