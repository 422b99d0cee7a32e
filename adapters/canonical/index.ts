import type { PartnerAdapter } from '../types.ts';

/**
 * For partners whose systems read the hub's canonical vocabulary: the minimised `payload` as it is. No
 * `map`, so the delivery carries that payload once, not a second time as `mapped.document`.
 */
export const adapter: PartnerAdapter = {
  format: 'canonical-v1',
};
