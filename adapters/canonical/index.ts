import type { PartnerAdapter } from '../types.ts';

/** For partners whose systems read the hub's canonical vocabulary: the minimised payload as it is. */
export const adapter: PartnerAdapter = {
  format: 'canonical-v1',
  map: (delivery) => delivery.payload,
};
