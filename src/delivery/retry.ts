import type { DeliverySettings } from '../config/schema.ts';
import type { Partner } from '../config/types.ts';

/** The hub's delivery settings with the partner's own overrides. */
export function deliverySettingsFor(hub: DeliverySettings, partner: Pick<Partner, 'delivery'>): DeliverySettings {
  const own = Object.fromEntries(Object.entries(partner.delivery ?? {}).filter(([, v]) => v !== undefined));
  return { ...hub, ...own };
}

/**
 * The wait before the next attempt, after `attemptsMade` failures: exponential from backoffSeconds,
 * capped at maxBackoffSeconds, with "equal jitter" (between half and all of it) so that the deliveries
 * of a partner that comes back do not all retry in the same instant.
 */
export function retryDelayMs(attemptsMade: number, settings: Pick<DeliverySettings, 'backoffSeconds' | 'maxBackoffSeconds'>, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 40);
  const full = Math.min(settings.backoffSeconds * 2 ** exponent, settings.maxBackoffSeconds) * 1000;
  return Math.round(full / 2 + random() * (full / 2));
}

/** Why a failing delivery is now dead, or undefined while it may still be retried. */
export function deadReason(attempt: number, windowStart: Date, now: Date, settings: Pick<DeliverySettings, 'attempts' | 'maxAgeHours'>): string | undefined {
  const ageHours = (now.getTime() - windowStart.getTime()) / 3_600_000;
  if (settings.attempts !== undefined && attempt >= settings.attempts) return `gave up after ${attempt} attempts`;
  if (ageHours >= settings.maxAgeHours) return `gave up after ${attempt} attempts over ${ageHours.toFixed(2)} h (maximum ${settings.maxAgeHours} h)`;
  return undefined;
}
