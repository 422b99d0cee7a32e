import { createHash, randomBytes } from 'node:crypto';
import type { Manifest } from '../minimisation/engine.ts';
import { canonicalJson } from '../submission/canonical-json.ts';
import { leafHash } from './merkle.ts';
import type { Subject } from './subjects.ts';

/**
 * One line of the disclosure log: a delivery to one recipient, about one person (or about no one, when
 * the message names no persons). Never content. Field names follow Logboek Dataverwerkingen where it
 * has one (trace and span ids, processing activity, data subject); see the README for the mapping.
 * The delivery's manifest is not repeated here but logged once, in its own entry; a line carries its
 * digest, so that each line still names exactly what went and stays the same size however many persons
 * the message names.
 */
export interface DisclosureEntry {
  kind: 'disclosure';
  /** The leaf index in the log's Merkle tree: an entry moved to another place no longer verifies. */
  index: number;
  traceId: string;
  spanId: string;
  /** The processing activity in the register: the purpose policy and its version (purpose, legal basis). */
  processingActivity: { id: string; version: number };
  occurredAt: string;
  loggedAt: string;
  sender: string;
  recipient: string;
  messageId: string;
  deliveryId: string;
  caseRef: string;
  type: string;
  purpose: string;
  legalBasis: string;
  /** SHA-256 of the canonical JSON of the delivery's manifest, which its ManifestEntry holds. */
  manifestDigest: string;
  categories: string[];
  subject: Subject | null;
  ciphertextDigest: string;
  confidentiality: 'confidential';
  retainUntil: string;
}

/**
 * The manifest of one delivery (paths disclosed with their transform, paths withheld, with categories),
 * logged once per delivery, just before its per-person lines: it grows with the message, so logging it
 * per person would make a delivery's lines grow with the square of the persons it names.
 */
export interface ManifestEntry {
  kind: 'manifest';
  index: number;
  traceId: string;
  spanId: string;
  deliveryId: string;
  recipient: string;
  occurredAt: string;
  loggedAt: string;
  manifest: Manifest;
}

/** A later state change of a delivery: delivered, acknowledged, failed, dead, retried. */
export interface StatusEntry {
  kind: 'status';
  index: number;
  traceId: string;
  spanId: string;
  deliveryId: string;
  recipient: string;
  event: string;
  occurredAt: string;
  loggedAt: string;
  detail?: string;
}

export type LogEntry = DisclosureEntry | ManifestEntry | StatusEntry;
export type UnplacedEntry = Omit<DisclosureEntry, 'index'> | Omit<ManifestEntry, 'index'> | Omit<StatusEntry, 'index'>;

/**
 * A delivery's manifest is rendered for its digest and again inside its own entry: the second time is
 * the first's text (at 1 MB a manifest of 767 leaves takes up to 1.1 ms). Manifests are never changed once made.
 */
const manifestTexts = new WeakMap<Manifest, string>();
const renderedManifest = (value: object): string | undefined => manifestTexts.get(value as Manifest);

function manifestText(manifest: Manifest): string {
  let text = manifestTexts.get(manifest);
  if (text === undefined) manifestTexts.set(manifest, (text = canonicalJson(manifest)));
  return text;
}

export const manifestDigest = (manifest: Manifest): string => createHash('sha256').update(manifestText(manifest)).digest('hex');

/**
 * The tree holds only a salted hash of each entry, so that purging an entry (and its salt) after the
 * retention period leaves a leaf that still verifies, and the leaf reveals nothing of a purged entry.
 */
export function entryHash(entry: LogEntry, salt: Buffer): Buffer {
  return textHash(canonicalJson(entry, renderedManifest), salt);
}

const textHash = (text: string, salt: Buffer): Buffer => createHash('sha256').update(salt).update(text).digest();

export const SALT_BYTES = 32;

/**
 * An entry as the log stores it: its canonical JSON, which is what the leaf hashes (so it is written
 * once and stored as it is), with its salt and its leaf.
 */
export function sealEntry(entry: LogEntry, salt: Buffer = randomBytes(SALT_BYTES)): { text: string; salt: Buffer; leaf: Buffer } {
  const text = canonicalJson(entry, renderedManifest);
  return { text, salt, leaf: leafHash(textHash(text, salt)) };
}

/** W3C Trace Context ids: from the sender's `traceparent` when it sent a valid one, else new. */
export function traceIdFrom(traceparent: string | undefined): string {
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '');
  return match && !/^0+$/.test(match[1]!) ? match[1]! : randomBytes(16).toString('hex');
}

export const newSpanId = (): string => randomBytes(8).toString('hex');

/** What the accept flow knows of one disclosure, before it is split into one entry per person. */
export type DisclosureFacts = Omit<DisclosureEntry, 'kind' | 'index' | 'processingActivity' | 'loggedAt' | 'manifestDigest' | 'categories' | 'subject' | 'confidentiality'> & {
  manifest: Manifest;
  policyId: string;
  policyVersion: number;
  subjects: Subject[];
};

/**
 * The delivery's manifest entry, then one entry per person concerned (or a single one without a subject
 * when the message names none): the size of the whole grows linearly with the persons and paths.
 */
export function disclosureEntries(f: DisclosureFacts, loggedAt: string): UnplacedEntry[] {
  const manifest = { kind: 'manifest' as const, traceId: f.traceId, spanId: f.spanId, deliveryId: f.deliveryId, recipient: f.recipient, occurredAt: f.occurredAt, loggedAt, manifest: f.manifest };
  const categories = [...new Set(f.manifest.disclosed.map((d) => d.category))].sort();
  const base = {
    kind: 'disclosure' as const,
    traceId: f.traceId,
    spanId: f.spanId,
    processingActivity: { id: f.policyId, version: f.policyVersion },
    occurredAt: f.occurredAt,
    loggedAt,
    sender: f.sender,
    recipient: f.recipient,
    messageId: f.messageId,
    deliveryId: f.deliveryId,
    caseRef: f.caseRef,
    type: f.type,
    purpose: f.purpose,
    legalBasis: f.legalBasis,
    manifestDigest: manifestDigest(f.manifest),
    categories,
    ciphertextDigest: f.ciphertextDigest,
    confidentiality: 'confidential' as const,
    retainUntil: f.retainUntil,
  };
  return [manifest, ...(f.subjects.length > 0 ? f.subjects : [null]).map((subject) => ({ ...base, subject }))];
}
