import type { MeetingAssignment } from '../src/submission/meeting.ts';

/**
 * The one interface a partner adapter implements: map the canonical minimised message into the
 * partner's vocabulary. Pure: it sees only what the recipient's policy already allowed.
 */
export interface CanonicalDelivery {
  deliveryId: string;
  messageId: string;
  type: string;
  purpose: string;
  sender: string;
  caseRef: string;
  createdAt: string;
  policy: { id: string; version: number };
  /** For a submission: the meeting it is for, or that it is urgent. */
  meeting?: MeetingAssignment;
  payload: Record<string, unknown>;
}

export interface PartnerAdapter {
  /** Name and version of the partner vocabulary, such as `clavis-v1`. */
  readonly format: string;
  /**
   * Absent for the hub's own vocabulary: the delivery's `payload` is then the document, and the delivery
   * names the format without a second copy of it.
   */
  map?(delivery: CanonicalDelivery): Record<string, unknown>;
}
