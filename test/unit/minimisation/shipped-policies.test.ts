import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdapters } from '../../../adapters/registry.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { validateEnvelope, type MessageType } from '../../../src/messages/index.ts';
import { planDeliveries } from '../../../src/submission/plan.ts';
import { ALL_CASES, envelope } from '../../../src/simulator/cases.ts';
import { categoryAt, domainViolations, leaves } from '../../support/domain-table.ts';

const config = loadConfig(resolve('config'), {});
const adapters = await loadAdapters(config.partners.map((p) => p.adapter));
let counter = 0;
const ctx = { config, adapters, pseudonymKey: new Uint8Array(32), newId: () => `d-${++counter}` };

function plan(sender: string, type: MessageType, purpose: string, caseRef: string, payload: Record<string, unknown>) {
  const env = validateEnvelope(envelope(type, purpose, caseRef, payload));
  return planDeliveries(env, sender, ctx).deliveries.map((d) => ({ ...d, view: JSON.parse(d.plaintext).payload as Record<string, unknown> }));
}

describe.each(ALL_CASES.map((build) => [build().name, build] as const))('shipped policies, case "%s"', (_name, build) => {
  const fixture = build();

  it('gives the chair the whole submission and nobody else anything of it', () => {
    const deliveries = plan(fixture.submitter === 'vt' ? 'politie' : fixture.submitter, 'submission', 'intake', fixture.caseRef, {
      ...fixture.submission,
      vtReportReference: 'VT-MELD-1',
    });
    expect(deliveries.map((d) => d.recipient)).toEqual(['vt']);
    expect(deliveries[0]?.manifest.withheld).toEqual([]);
  });

  it('sends every participant only identification, question and process in the agenda', () => {
    const deliveries = plan('vt', 'agenda', 'preparation', fixture.caseRef, fixture.agenda);
    expect(deliveries.map((d) => d.recipient).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk']);
    for (const d of deliveries) expect(domainViolations('agenda', 'preparation', d.recipient, d.view)).toEqual([]);
  });

  it('gives each partner of the minutes exactly what DOMAIN.md allows', () => {
    const deliveries = plan('vt', 'minutes', 'execution', fixture.caseRef, fixture.minutes);
    expect(deliveries.map((d) => d.recipient).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk']);
    for (const d of deliveries) {
      expect(domainViolations('minutes', 'execution', d.recipient, d.view)).toEqual([]);
      const own = (fixture.minutes.step2 as { interventions: { partner: string }[] }).interventions.filter((i) => i.partner === d.recipient);
      expect((d.view.step2 as { interventions?: unknown[] } | undefined)?.interventions ?? []).toEqual(own);
      expect(d.view.notForClient).toBeUndefined();
      expect(d.view.medicalInformation).toBeUndefined();
      // Not too little either: the question, the persons' identification and the shared safety plan arrive.
      expect(d.view.question).toBe(fixture.minutes.question);
      expect((d.view.persons as unknown[]).length).toBe((fixture.minutes.persons as unknown[]).length);
      expect(d.view.step3).toMatchObject({ direction: { partner: 'vt' } });
    }
  });

  it('records in the manifest every leaf of the minutes, disclosed or withheld', () => {
    const all = leaves(fixture.minutes).map((l) => l.path).sort();
    for (const d of plan('vt', 'minutes', 'execution', fixture.caseRef, fixture.minutes)) {
      const covered = [...d.manifest.disclosed, ...d.manifest.withheld].map((e) => e.path).sort();
      expect(covered).toEqual(all);
      for (const w of d.manifest.withheld) expect(w.category).toBe(categoryAt('minutes', w.path));
    }
  });
});

describe('shipped policies for enrichment', () => {
  it('asks Probation and the Child Protection Board only about the identification of the persons', () => {
    const fixture = ALL_CASES[0]!();
    const persons = (fixture.submission.persons as Record<string, unknown>[]).slice(0, 1);
    const deliveries = plan('vt', 'enrichment-request', 'enrichment', fixture.caseRef, { persons, question: 'Bekend bij toezicht?', meetingDate: '2026-11-24' });
    expect(deliveries.map((d) => d.recipient).sort()).toEqual(['reclassering', 'rvdk']);
    for (const d of deliveries) {
      expect(domainViolations('enrichment-request', 'enrichment', d.recipient, d.view)).toEqual([]);
      expect((d.view.persons as Record<string, unknown>[])[0]?.address).toBeUndefined();
    }
  });
});
