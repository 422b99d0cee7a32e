import type { Transport } from './types.ts';

/** Pull: the delivery becomes visible in the partner's inbox; the partner fetches and acknowledges it. */
export const pullTransport: Transport = {
  async deliver() {
    return { event: 'available' };
  },
};
