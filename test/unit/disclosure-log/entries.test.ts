import { describe, expect, it } from 'vitest';
import { disclosureEntries, manifestDigest, sealEntry, type DisclosureFacts, type LogEntry } from '../../../src/disclosure-log/entries.ts';
import { canonicalJson } from '../../../src/submission/canonical-json.ts';
import { agendaDisclosure } from '../../support/agenda-disclosure.ts';

const facts = (persons: number): DisclosureFacts => {
  const { disclosure } = agendaDisclosure('u', persons);
  return { ...disclosure, occurredAt: disclosure.recordedAt };
};

describe('the log entries of one delivery', () => {
  it('are its manifest, once, then one line per person carrying the manifest’s digest and not the manifest', () => {
    const f = facts(3);
    const [manifest, ...lines] = disclosureEntries(f, 'now');
    expect(manifest).toEqual({ kind: 'manifest', traceId: f.traceId, spanId: f.spanId, deliveryId: f.deliveryId, recipient: f.recipient, occurredAt: f.occurredAt, loggedAt: 'now', manifest: f.manifest });
    expect(lines.map((l) => l.kind === 'disclosure' && l.subject)).toEqual(f.subjects);
    for (const l of lines) {
      expect(l).toMatchObject({ kind: 'disclosure', deliveryId: f.deliveryId, manifestDigest: manifestDigest(f.manifest), categories: ['identification', 'role'] });
      expect(l).not.toHaveProperty('manifest');
    }
  });

  it('are the manifest and one line without a subject when the message names no one', () => {
    const lines = disclosureEntries({ ...facts(2), subjects: [] }, 'now');
    expect(lines.map((l) => [l.kind, l.kind === 'disclosure' ? l.subject : 'n/a'])).toEqual([['manifest', 'n/a'], ['disclosure', null]]);
  });

  it('digest the manifest whatever the order of its keys', () => {
    const f = facts(1);
    const reordered = JSON.parse(JSON.stringify({ withheld: f.manifest.withheld, disclosed: f.manifest.disclosed }));
    expect(manifestDigest(reordered)).toBe(manifestDigest(f.manifest));
    expect(manifestDigest({ ...f.manifest, withheld: [] })).not.toBe(manifestDigest(f.manifest));
  });

  it('are sealed as their canonical JSON, the manifest’s entry too, whose manifest was rendered once for the digest', () => {
    const f = facts(2);
    const entries = disclosureEntries(f, 'now');
    for (const [i, e] of entries.entries()) expect(sealEntry({ ...e, index: i } as LogEntry).text).toBe(canonicalJson({ ...e, index: i }));
  });

  it('cost a line per person of one size, whether the message names 10 or 1,000 persons', () => {
    const size = (persons: number) => disclosureEntries(facts(persons), 'now').map((e) => canonicalJson(e).length);
    const [small, large] = [size(10), size(1000)];
    expect(Math.max(...large.slice(1))).toBe(Math.max(...small.slice(1)));
    expect(large[0]! / small[0]!).toBeGreaterThan(90);
  });
});
