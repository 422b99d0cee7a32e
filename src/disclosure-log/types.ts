import type { LogEntry } from './entries.ts';

/** A row as verification reads it: the entry as stored text, so that any edit changes its hash. */
export interface LogRow {
  seq: number;
  entry: string | null;
  salt: string | null;
  leafHash: string;
  /** Until when the entry is kept; a purge before it was no purge but an entry cleared early. */
  retainUntil: string | null;
  purgedAt: string | null;
}

export interface StoredLogEntry {
  seq: number;
  entry: LogEntry | null;
  salt: string | null;
  leafHash: string;
  loggedAt: string;
  purgedAt: string | null;
}

/** A signed statement of the tree's size and root (a signed tree head, in Certificate Transparency's terms). */
export interface Checkpoint {
  treeSize: number;
  rootHash: string;
  signedAt: string;
  /** The exact text that was signed. */
  statement: string;
  /** Armoured OpenPGP detached signature over `statement`, by the hub's key. */
  signature: string;
}

export interface LogSearch {
  /** Pseudonyms of one person (from a BSN, or name and date of birth). */
  subjects?: string[];
  partner?: string;
  purpose?: string;
  type?: string;
  caseRef?: string;
  from?: string;
  to?: string;
  limit: number;
}

/** How many deliveries went to a recipient for a purpose on one day (UTC): a point of the console's chart. */
export interface DisclosureStats {
  day: string;
  recipient: string;
  purpose: string;
  disclosures: number;
}

export type Verification =
  | { intact: true; records: number; root: string; checkpoints: number }
  | { intact: false; records: number; firstBadRecord: number; reason: string };

/** Whether a person was told of the meeting (from the minutes' `informing`), per case. */
export interface InformingRecord {
  caseRef: string;
  subject: { bsn?: string; nameDob?: string };
  role: string;
  status: 'informed' | 'postponed' | 'undecided';
  by?: string;
  on?: string;
  reasonGiven?: boolean;
  reviewDate?: string;
  messageId: string;
  recordedAt: string;
}

export interface AuditRecord {
  officer: string;
  action: string;
  /** The criteria, with a person's BSN or name already replaced by pseudonyms. */
  query: Record<string, unknown>;
  results: number;
  at: string;
}

/** The log as the privacy console and the verifier read it. */
export interface DisclosureLogStore {
  /** Every row in order, read a page at a time. */
  rows(): AsyncIterable<LogRow>;
  /** The leaf hashes of records `from + 1` to `to`: a checkpoint reads only the leaves added since the last. */
  leafHashes(from: number, to: number): Promise<Buffer[]>;
  size(): Promise<number>;
  entriesOfDelivery(deliveryId: string): Promise<StoredLogEntry[]>;
  entryAt(seq: number): Promise<StoredLogEntry | undefined>;
  search(q: LogSearch): Promise<StoredLogEntry[]>;
  stats(q: { from?: string; to?: string }): Promise<DisclosureStats[]>;
  addCheckpoint(c: Checkpoint): Promise<void>;
  checkpoints(): Promise<Checkpoint[]>;
  /** Clears the entries whose retention has ended by the database's clock; answers how many. */
  purgeExpired(): Promise<number>;
  /** The latest informing status per person and case. */
  informing(): Promise<(InformingRecord & { seq: number })[]>;
  audit(record: AuditRecord): Promise<void>;
  auditTrail(limit: number): Promise<(AuditRecord & { seq: number })[]>;
}
