import { describe, expect, it } from 'vitest';
import type { Partner } from '../../../src/config/types.ts';
import { HubProblem } from '../../../src/errors/problem.ts';
import type { Envelope } from '../../../src/messages/index.ts';
import { canonicalJson } from '../../../src/submission/canonical-json.ts';
import { checkAcceptWindow, checkSenderMaySend, checkSubmissionRules } from '../../../src/submission/rules.ts';

const window = { maxAgeSeconds: 3600, maxSkewSeconds: 60 };
const now = new Date('2026-11-22T12:00:00Z');

function problemOf(fn: () => void): HubProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubProblem) return err;
  }
  throw new Error('expected a HubProblem');
}

const submission = { type: 'submission', purpose: 'intake', payload: {} } as unknown as Envelope;

describe('submission rules', () => {
  it('accepts a createdAt inside the window and refuses one outside it as 422', () => {
    expect(() => checkAcceptWindow('2026-11-22T11:30:00Z', now, window)).not.toThrow();
    expect(problemOf(() => checkAcceptWindow('2026-11-22T10:59:00Z', now, window)).kind.slug).toBe('outside-accepted-window');
    const future = problemOf(() => checkAcceptWindow('2026-11-22T12:02:00Z', now, window));
    expect(future.status).toBe(422);
    expect(future.errors?.[0]?.path).toBe('/createdAt');
  });

  it('lets a partner send only the types and purposes of its configuration (403)', () => {
    const partner = { id: 'politie', sends: [{ type: 'submission', purposes: ['intake'] }] } as unknown as Partner;
    expect(() => checkSenderMaySend(partner, submission)).not.toThrow();
    const p = problemOf(() => checkSenderMaySend(partner, { ...submission, type: 'minutes', purpose: 'execution' }));
    expect(p.status).toBe(403);
    expect(p.detail).toMatch(/politie may not send minutes for purpose execution/);
  });

  it('requires a report reference at Veilig Thuis from a submitter other than the chair', () => {
    const p = problemOf(() => checkSubmissionRules(submission, 'politie', 'vt'));
    expect(p.status).toBe(422);
    expect(p.errors).toEqual([{ path: '/payload/vtReportReference', message: expect.any(String) }]);
    expect(() => checkSubmissionRules(submission, 'vt', 'vt')).not.toThrow();
    expect(() => checkSubmissionRules({ ...submission, payload: { vtReportReference: 'VT-1' } }, 'politie', 'vt')).not.toThrow();
  });

  it('serialises equal content to equal bytes whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});
