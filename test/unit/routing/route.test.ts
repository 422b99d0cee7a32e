import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { Envelope } from '../../../src/messages/index.ts';
import { route } from '../../../src/routing/route.ts';

const config = loadConfig(resolve('config'), {});

function env(type: Envelope['type'], purpose: Envelope['purpose'], recipients?: string[]): Envelope {
  return { messageId: '0b9c8d0e-5d0a-4a8e-9d55-2f3b1c7e9a10', type, purpose, createdAt: '2026-11-22T09:30:00Z', caseRef: 'C', payload: {}, ...(recipients ? { recipients } : {}) };
}

describe('route', () => {
  it('sends a submission to the chair', () => {
    expect(route(env('submission', 'intake'), 'politie', config).deliverable.map((r) => r.recipient)).toEqual(['vt']);
  });

  it('sends minutes to every participant except the sender', () => {
    const routing = route(env('minutes', 'execution'), 'vt', config);
    expect(routing.deliverable.map((r) => r.recipient).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk']);
    expect(routing.deliverable.find((r) => r.recipient === 'om')?.policy.id).toBe('om-execution');
  });

  it('honours named recipients and tells why the others receive nothing', () => {
    const routing = route(env('enrichment-request', 'enrichment', ['rvdk', 'politie', 'gemeente', 'vt']), 'vt', config);
    expect(routing.deliverable.map((r) => r.recipient)).toEqual(['rvdk']);
    expect(routing.refused).toEqual([
      { recipient: 'politie', reason: 'no-policy' },
      { recipient: 'gemeente', reason: 'unknown-partner' },
      { recipient: 'vt', reason: 'sender' },
    ]);
  });

  it('delivers nothing for a purpose that no policy covers (default deny)', () => {
    const routing = route(env('minutes', 'intake', ['politie']), 'vt', config);
    expect(routing.deliverable).toEqual([]);
    expect(routing.refused).toEqual([{ recipient: 'politie', reason: 'no-policy' }]);
  });
});
