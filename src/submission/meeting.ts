import type { MeetingSchedule } from '../config/schema.ts';

/** The meeting a submission is for, as the sender is told and the chair receives it. */
export type MeetingAssignment =
  | { urgent: false; date: string; startsAt: string; cutOff: string; deferred: boolean }
  | { urgent: true };

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_MS = 86_400_000;
// How far ahead to look for a meeting: a schedule with dates only may have none in the next year.
const HORIZON_DAYS = 400;

/** Wall-clock time in a time zone as `YYYY-MM-DDTHH:MM:SS`, which sorts as it reads. */
export function wallClock(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The instant at which a wall clock in a time zone shows the given local time (DST-safe to the minute). */
export function instantOf(local: string, timeZone: string): Date {
  const asUtc = Date.parse(`${local}Z`);
  let guess = asUtc;
  for (let i = 0; i < 2; i++) guess = asUtc - (Date.parse(`${wallClock(new Date(guess), timeZone)}Z`) - guess);
  return new Date(guess);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function isMeetingDay(date: string, schedule: MeetingSchedule): boolean {
  if (schedule.skip.includes(date)) return false;
  if (schedule.dates) return schedule.dates.includes(date);
  return schedule.weekdays.includes(WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] as (typeof schedule.weekdays)[number]);
}

function meetingDays(from: string, schedule: MeetingSchedule): string[] {
  const days: string[] = [];
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    const day = addDays(from, i);
    if (isMeetingDay(day, schedule)) days.push(day);
  }
  return days;
}

/**
 * Which meeting a submission is for (DOMAIN.md): a submission must reach the chair before the cut-off
 * (by default 12:00 on the day before the meeting), or it is for the following meeting. The chair's own
 * submissions are for the next meeting that has not started. Urgent cases are for no meeting: they are
 * delivered at once, flagged.
 */
export function assignMeeting(receivedAt: Date, schedule: MeetingSchedule, how: { urgent: boolean; byChair: boolean }): MeetingAssignment | undefined {
  if (how.urgent) return { urgent: true };
  const tz = schedule.timeZone;
  const now = wallClock(receivedAt, tz);
  const upcoming = meetingDays(now.slice(0, 10), schedule)
    .map((date) => ({ date, start: `${date}T${schedule.time}:00`, cutOff: `${addDays(date, -schedule.cutOff.daysBefore)}T${schedule.cutOff.time}:00` }))
    .filter((m) => now < m.start);
  const chosen = upcoming.find((m) => now < (how.byChair ? m.start : m.cutOff));
  if (!chosen) return undefined;
  return {
    urgent: false,
    date: chosen.date,
    startsAt: instantOf(chosen.start, tz).toISOString(),
    cutOff: instantOf(chosen.cutOff, tz).toISOString(),
    deferred: chosen !== upcoming[0],
  };
}
