import { describe, expect, it } from 'vitest';
import { MeetingSchedule } from '../../../src/config/schema.ts';
import { assignMeeting, instantOf, wallClock } from '../../../src/submission/meeting.ts';

const weekly = MeetingSchedule.parse({}); // Tuesdays 10:00 Amsterdam, cut-off 12:00 the day before
const partner = { urgent: false, byChair: false };
const chair = { urgent: false, byChair: true };

describe('assigning a submission to a meeting', () => {
  it('is for the next meeting when it arrives before 12:00 on the day before', () => {
    // Monday 23 November 2026, 11:59 in Amsterdam (UTC+1).
    expect(assignMeeting(new Date('2026-11-23T10:59:00Z'), weekly, partner)).toEqual({
      urgent: false,
      date: '2026-11-24',
      startsAt: '2026-11-24T09:00:00.000Z',
      cutOff: '2026-11-23T11:00:00.000Z',
      deferred: false,
    });
  });

  it('is accepted but for the following meeting when it arrives at or after the cut-off, and says so', () => {
    expect(assignMeeting(new Date('2026-11-23T11:00:00Z'), weekly, partner)).toMatchObject({ date: '2026-12-01', deferred: true, cutOff: '2026-11-30T11:00:00.000Z' });
    // On the meeting day itself, before it starts: too late for a partner as well.
    expect(assignMeeting(new Date('2026-11-24T08:00:00Z'), weekly, partner)).toMatchObject({ date: '2026-12-01', deferred: true });
  });

  it('lets the chair add its own case until the meeting starts', () => {
    expect(assignMeeting(new Date('2026-11-24T08:59:00Z'), weekly, chair)).toMatchObject({ date: '2026-11-24', deferred: false });
    expect(assignMeeting(new Date('2026-11-24T09:00:00Z'), weekly, chair)).toMatchObject({ date: '2026-12-01', deferred: false });
  });

  it('puts an urgent case on no meeting', () => {
    expect(assignMeeting(new Date('2026-11-23T15:00:00Z'), weekly, { urgent: true, byChair: false })).toEqual({ urgent: true });
  });

  it('follows summer time: the cut-off is 12:00 on the wall clock in Amsterdam', () => {
    // Daylight saving starts on 29 March 2026; the meeting of Tuesday 31 March has its cut-off at 10:00 UTC.
    expect(assignMeeting(new Date('2026-03-27T12:00:00Z'), weekly, partner)).toMatchObject({ date: '2026-03-31', cutOff: '2026-03-30T10:00:00.000Z', startsAt: '2026-03-31T08:00:00.000Z' });
  });

  it('uses explicit dates for a fortnightly meeting and skips holidays', () => {
    const fortnightly = MeetingSchedule.parse({ dates: ['2026-12-01', '2026-12-15', '2026-12-29', '2027-01-12'], skip: ['2026-12-29'] });
    expect(assignMeeting(new Date('2026-12-02T08:00:00Z'), fortnightly, partner)).toMatchObject({ date: '2026-12-15', deferred: false });
    expect(assignMeeting(new Date('2026-12-20T08:00:00Z'), fortnightly, partner)).toMatchObject({ date: '2027-01-12', deferred: false });
    expect(assignMeeting(new Date('2027-01-11T12:00:00Z'), fortnightly, partner)).toBeUndefined();
  });

  it('converts between wall clock and instant in both directions', () => {
    expect(wallClock(new Date('2026-07-01T10:00:00Z'), 'Europe/Amsterdam')).toBe('2026-07-01T12:00:00');
    expect(instantOf('2026-07-01T12:00:00', 'Europe/Amsterdam').toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(instantOf('2026-01-01T00:30:00', 'Europe/Amsterdam').toISOString()).toBe('2025-12-31T23:30:00.000Z');
  });

  it('refuses a schedule with a malformed time or an unknown time zone', () => {
    expect(MeetingSchedule.safeParse({ time: '25:00' }).success).toBe(false);
    expect(MeetingSchedule.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
  });
});
