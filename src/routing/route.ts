import type { Policy } from '../config/schema.ts';
import type { HubConfig } from '../config/types.ts';
import type { Envelope } from '../messages/index.ts';

export interface RoutedRecipient {
  recipient: string;
  policy: Policy;
}

export interface RefusedRecipient {
  recipient: string;
  reason: 'unknown-partner' | 'no-policy' | 'sender';
}

export interface Routing {
  deliverable: RoutedRecipient[];
  refused: RefusedRecipient[];
}

export function policyFor(policies: Policy[], recipient: string, purpose: string, type: string): Policy | undefined {
  return policies.find((p) => p.recipient === recipient && p.purpose === purpose && (p.messageTypes as string[]).includes(type));
}

function candidates(envelope: Envelope, sender: string, config: Pick<HubConfig, 'routes' | 'partners'>): string[] {
  if (envelope.recipients) return [...new Set(envelope.recipients)];
  const route = config.routes.find((r) => r.type === envelope.type && r.purpose === envelope.purpose);
  if (!route) return [];
  if (route.recipients === 'participants') return config.partners.filter((p) => p.participant && p.id !== sender).map((p) => p.id);
  return route.recipients;
}

/**
 * The recipients of a message: those the sender named, or the route for its type and purpose. A
 * recipient without a policy for this purpose and type receives nothing (default deny), and the
 * sender is told why.
 */
export function route(envelope: Envelope, sender: string, config: Pick<HubConfig, 'routes' | 'partners' | 'policies'>): Routing {
  const routing: Routing = { deliverable: [], refused: [] };
  const known = new Set(config.partners.map((p) => p.id));
  for (const recipient of candidates(envelope, sender, config)) {
    if (recipient === sender) routing.refused.push({ recipient, reason: 'sender' });
    else if (!known.has(recipient)) routing.refused.push({ recipient, reason: 'unknown-partner' });
    else {
      const policy = policyFor(config.policies, recipient, envelope.purpose, envelope.type);
      if (policy) routing.deliverable.push({ recipient, policy });
      else routing.refused.push({ recipient, reason: 'no-policy' });
    }
  }
  return routing;
}
