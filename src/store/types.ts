import type { Subject } from '../disclosure-log/subjects.ts';
import type { DisclosureLogStore, InformingRecord } from '../disclosure-log/types.ts';
import type { Policy } from '../config/schema.ts';
import type { Manifest } from '../minimisation/engine.ts';
import type { ThreadHeap } from '../observability/thread-heap.ts';
import type { MeetingAssignment } from '../submission/meeting.ts';

export const DELIVERY_EVENTS = ['queued', 'available', 'delivered', 'acknowledged', 'failed', 'dead', 'retried', 'purged'] as const;
export type DeliveryEventKind = (typeof DELIVERY_EVENTS)[number];
/**
 * What API.md reports. `available` (placed in a pull inbox) is reported as `queued`; `retried` (an
 * administrator sent a dead delivery back) starts the delivery over as `queued`; `purged` (the hub
 * deleted its copy after the recipient received it) leaves the status as it was.
 */
export type DeliveryStatus = Exclude<DeliveryEventKind, 'available' | 'retried' | 'purged'>;
export type TransportKind = 'pull' | 'push' | 'file';

export interface MessageRecord {
  sender: string;
  messageId: string;
  type: string;
  purpose: string;
  caseRef: string;
  createdAt: string;
  receivedAt: string;
  /** Keyed digest of the plaintext envelope: tells a repeat from a conflicting reuse of messageId. */
  contentDigest: string;
  /** Recipients that were named or routed but receive nothing, and why. */
  refused: { recipient: string; reason: string }[];
  /** For a submission: the meeting it is for, or that it is urgent and for no meeting. */
  meeting?: MeetingAssignment | undefined;
}

/** One version of a purpose policy, as an administrator (or the shipped configuration) published it. */
export interface PolicyVersion {
  policy: Policy;
  author: string;
  publishedAt: string;
  comment?: string | undefined;
}

/** Another request published the same policy version first. */
export class PolicyVersionExistsError extends Error {
  constructor(policyId: string, version: number) {
    super(`policy ${policyId} already has version ${version}`);
    this.name = 'PolicyVersionExistsError';
  }
}

/** Another request stored the same (sender, messageId) first. */
export class DuplicateMessageError extends Error {
  constructor(sender: string, messageId: string) {
    super(`message ${messageId} of ${sender} is already stored`);
    this.name = 'DuplicateMessageError';
  }
}

export interface DeliveryRecord {
  deliveryId: string;
  messageId: string;
  sender: string;
  recipient: string;
  transport: TransportKind;
  /** The armoured OpenPGP message, as UTF-8 bytes. */
  ciphertext: Uint8Array;
  ciphertextDigest: string;
  policyId: string;
  policyVersion: number;
  createdAt: string;
}

/** One transfer to one recipient, as privacy officers review it. Never the content. */
export interface DisclosureRecord {
  deliveryId: string;
  messageId: string;
  sender: string;
  recipient: string;
  type: string;
  purpose: string;
  caseRef: string;
  legalBasis: string;
  policyId: string;
  policyVersion: number;
  manifest: Manifest;
  ciphertextDigest: string;
  recordedAt: string;
  /** W3C trace id of the submission and span id of this delivery, shared with the disclosure log. */
  traceId: string;
  spanId: string;
  subjects: Subject[];
  retainUntil: string;
}

export interface DeliveryEvent {
  deliveryId: string;
  event: DeliveryEventKind;
  at: string;
  detail?: string | undefined;
}

export interface DeliverySummary {
  deliveryId: string;
  recipient: string;
  status: DeliveryStatus;
  events: { event: DeliveryEventKind; at: string; detail?: string }[];
}

export interface StoredDelivery extends DeliveryRecord {
  status: DeliveryStatus;
  /** When the hub purged its copy of the ciphertext, after the recipient had received it; its bytes are then empty. */
  ciphertextPurgedAt?: string;
  /** When the current run of attempts began: creation, or an administrator's retry. Max age counts from here. */
  attemptsSince: string;
}

export interface DeliveryOverview {
  deliveryId: string;
  messageId: string;
  sender: string;
  recipient: string;
  transport: TransportKind;
  createdAt: string;
  status: DeliveryStatus;
  events: DeliverySummary['events'];
}

/** How long the hub keeps a received delivery's ciphertext: received before these times, it goes. */
export interface CiphertextPurge {
  /** Per recipient; a recipient not named (one no longer configured) takes `otherwise`. */
  receivedBefore: Map<string, string>;
  otherwise: string;
  /** The time of the `purged` events. */
  at: string;
}

export interface InboxEntry {
  deliveryId: string;
  messageId: string;
  type: string;
  purpose: string;
  sender: string;
  caseRef: string;
  createdAt: string;
}

export interface StoredMessage {
  message: MessageRecord;
  deliveries: DeliverySummary[];
}

/** The hub's source of truth. Async so that a server database can stand behind the same interface. */
export interface HubStore {
  /** Stores a message, its deliveries and their disclosure records in one transaction, with a `queued` event each. */
  saveOutbox(message: MessageRecord, deliveries: DeliveryRecord[], disclosures: DisclosureRecord[], informing?: InformingRecord[]): Promise<void>;
  /** The tamper-evident disclosure log, written in the same transactions as deliveries and their events. */
  readonly log: DisclosureLogStore;
  findMessage(sender: string, messageId: string): Promise<StoredMessage | undefined>;
  /** With the ciphertext the caller already holds (the outbox's copy), the row is read without its own. */
  getDelivery(deliveryId: string, ciphertext?: Uint8Array): Promise<StoredDelivery | undefined>;
  /**
   * Deletes the ciphertext of at most `limit` deliveries received before their recipient's time (oldest
   * first), each with a `purged` event and its log entry in the same transaction; the delivery, its
   * digest and its events stay. Returns how many.
   */
  purgeReceivedCiphertext(purge: CiphertextPurge, limit: number): Promise<number>;
  /** Deliveries whose current status is the one given, oldest first, without their ciphertext. */
  deliveriesWithStatus(status: DeliveryStatus, limit: number): Promise<DeliveryOverview[]>;
  /** How many deliveries are dead per recipient, counted in the database. */
  deadByRecipient(): Promise<Map<string, number>>;
  appendEvent(event: DeliveryEvent): Promise<void>;
  /** Appends the event unless this run of attempts (since the last 'retried') already has one of that kind; true when appended. */
  appendEventOnce(event: DeliveryEvent): Promise<boolean>;
  listInbox(recipient: string, after: number, limit: number): Promise<{ entries: InboxEntry[]; cursor: number | null }>;
  /** Deliveries stored but not yet handed to their transport: what a lost queue must be refilled with. */
  pendingDeliveries(): Promise<{ deliveryId: string; recipient: string }[]>;
  /** Every published version of every policy, oldest first per policy. */
  policyVersions(): Promise<PolicyVersion[]>;
  /** Appends a version; throws PolicyVersionExistsError if that version number is taken. */
  addPolicyVersion(version: PolicyVersion): Promise<void>;
  /** True when the database answers a query. */
  ping(): Promise<boolean>;
  /** Per delivery of a message: its disclosure as the log recorded it, and its events. */
  disclosuresFor(messageId: string, sender: string): Promise<(Omit<DisclosureRecord, 'traceId' | 'spanId' | 'subjects' | 'retainUntil'> & { events: DeliverySummary['events'] })[]>;
  /** The V8 heap of the thread the store runs on, when it has one of its own (SQLite's, by default). */
  threadHeap?(): Promise<ThreadHeap>;
  close(): Promise<void>;
}
