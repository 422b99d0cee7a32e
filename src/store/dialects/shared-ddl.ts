// What both dialects' schemas say alike; the types of sequence numbers and the triggers differ.

/** Deliveries and their events; `serial` is the dialect's auto-numbered primary key. */
export const deliveryTables = (serial: string) => `CREATE TABLE deliveries (
     seq ${serial},
     delivery_id TEXT NOT NULL UNIQUE, message_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL,
     transport TEXT NOT NULL, ciphertext TEXT NOT NULL, ciphertext_digest TEXT NOT NULL, -- bytes: a BLOB in SQLite (TEXT affinity keeps BLOBs as they are), bytea from PostgreSQL's migration 3
     policy_id TEXT NOT NULL, policy_version INTEGER NOT NULL, created_at TEXT NOT NULL,
     FOREIGN KEY (sender, message_id) REFERENCES messages (sender, message_id));
   CREATE INDEX deliveries_by_message ON deliveries (sender, message_id);
   CREATE INDEX deliveries_by_recipient ON deliveries (recipient, seq);
   CREATE TABLE delivery_events (
     seq ${serial},
     delivery_id TEXT NOT NULL REFERENCES deliveries (delivery_id), event TEXT NOT NULL, at TEXT NOT NULL, detail TEXT);
   CREATE INDEX delivery_events_by_delivery ON delivery_events (delivery_id, event);`;

/** The events after which a delivery is never pending again (API.md's delivered, acknowledged, or made available to pull). */
export const DONE_EVENT_KINDS: readonly string[] = ['available', 'delivered', 'acknowledged'];
export const DONE_EVENTS = DONE_EVENT_KINDS.map((kind) => `'${kind}'`).join(', ');

/**
 * The event after which the recipient holds its copy, so that the hub's may go: a pull delivery's
 * acknowledgement, a push or file delivery's delivery. `d` is the delivery's row.
 */
export const receivedEvent = (d: string) => `CASE ${d}.transport WHEN 'pull' THEN 'acknowledged' ELSE 'delivered' END`;

/**
 * The deliveries not yet done, so that the reconciler reads those instead of every delivery ever stored
 * (with 9,000 stored, its scan held the event loop for 105–165 ms every 30 s, growing with the file),
 * and an index of events by kind, so that the gauge of dead deliveries finds the dead ones. A row is
 * added with the delivery and removed with its first done event: a narrowing only, the queries still
 * decide from the events. A database with deliveries is filled from their events.
 */
export const openDeliveriesTable = `CREATE TABLE open_deliveries (
     delivery_id TEXT PRIMARY KEY REFERENCES deliveries (delivery_id), recipient TEXT NOT NULL);
   INSERT INTO open_deliveries (delivery_id, recipient)
     SELECT d.delivery_id, d.recipient FROM deliveries d
     WHERE NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event IN (${DONE_EVENTS}));
   CREATE INDEX delivery_events_by_event ON delivery_events (event, delivery_id);`;

/** The event that says the hub deleted its copy of a delivery's ciphertext. */
export const PURGED_EVENT = 'purged';

/**
 * The one DELETE of a delivery's ciphertext allowed: once its recipient received it, and with the
 * purge recorded as the delivery's event. `OLD` is the ciphertext's row.
 */
export const PURGE_RECEIVED_ONLY = `EXISTS (SELECT 1 FROM deliveries d JOIN delivery_events e ON e.delivery_id = d.delivery_id
         WHERE d.delivery_id = OLD.delivery_id AND e.event = ${receivedEvent('d')})
       AND EXISTS (SELECT 1 FROM delivery_events p WHERE p.delivery_id = OLD.delivery_id AND p.event = '${PURGED_EVENT}')`;

export const PURGE_RECEIVED_ONLY_MESSAGE = 'a delivery’s ciphertext is deleted only by the recorded purge after its recipient received it';

/**
 * Ciphertexts move to a table of their own, so that the purge deletes whole rows and frees their pages:
 * emptying a column in place left about 20 kB of sparse pages behind per delivery (in a soak, SQLite's
 * deliveries took 320 MB for 15,003 rows, 570 of them still holding a ciphertext). The deliveries
 * become append-only like their events. `bytes` is the dialect's type; `guards`, its triggers.
 */
export const separateCiphertexts = (bytes: string, guards: string) => `CREATE TABLE delivery_ciphertexts (
     delivery_id TEXT PRIMARY KEY REFERENCES deliveries (delivery_id), created_at TEXT NOT NULL, ciphertext ${bytes} NOT NULL);
   INSERT INTO delivery_ciphertexts (delivery_id, created_at, ciphertext) SELECT delivery_id, created_at, ciphertext FROM deliveries;
   ALTER TABLE deliveries DROP COLUMN ciphertext;
   CREATE INDEX delivery_ciphertexts_by_time ON delivery_ciphertexts (created_at);
   ${guards}`;

/** The log's table and its indexes; only the type of the sequence number differs per dialect. */
export const logEntriesTable = (seqType: 'INTEGER' | 'BIGINT') => `CREATE TABLE log_entries (
     seq ${seqType} PRIMARY KEY,
     kind TEXT NOT NULL, delivery_id TEXT, trace_id TEXT, span_id TEXT, sender TEXT, recipient TEXT,
     purpose TEXT, type TEXT, case_ref TEXT, subject_bsn TEXT, subject_name_dob TEXT,
     occurred_at TEXT, logged_at TEXT NOT NULL, entry TEXT, salt TEXT, leaf_hash TEXT NOT NULL, purged_at TEXT);
   CREATE INDEX log_by_delivery ON log_entries (delivery_id);
   CREATE INDEX log_by_subject_bsn ON log_entries (subject_bsn);
   CREATE INDEX log_by_subject_name_dob ON log_entries (subject_name_dob);
   CREATE INDEX log_by_recipient ON log_entries (recipient, occurred_at);
   CREATE INDEX log_by_case ON log_entries (case_ref);
   CREATE INDEX log_to_purge ON log_entries (logged_at) WHERE purged_at IS NULL;`;

/** The one UPDATE a log entry allows, the retention purge: every searchable column and the salt cleared, the leaf kept. */
export const PURGE_ONLY = `OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL AND NEW.seq = OLD.seq AND NEW.kind = OLD.kind
       AND NEW.leaf_hash = OLD.leaf_hash AND NEW.logged_at = OLD.logged_at AND NEW.entry IS NULL AND NEW.salt IS NULL
       AND NEW.delivery_id IS NULL AND NEW.trace_id IS NULL AND NEW.span_id IS NULL AND NEW.sender IS NULL
       AND NEW.recipient IS NULL AND NEW.purpose IS NULL AND NEW.type IS NULL AND NEW.case_ref IS NULL
       AND NEW.subject_bsn IS NULL AND NEW.subject_name_dob IS NULL AND NEW.occurred_at IS NULL`;

export const PURGE_ONLY_MESSAGE = 'the disclosure log is append-only; only the retention purge may clear an entry';

/**
 * The purge as allowed since each entry states its retention (`retain_until`, kept as it is): only once
 * that has passed, and not dated later than `clock`, the database's own time (as text like JS
 * `toISOString()`). Whoever may UPDATE the table can then no longer clear a record early by writing a
 * purge date of their choosing. Each operand is tested for NULL, so that no comparison is unknown.
 */
export const purgeAfterRetention = (clock: string) => `${PURGE_ONLY}
       AND OLD.retain_until IS NOT NULL AND NEW.retain_until IS NOT NULL AND NEW.retain_until = OLD.retain_until
       AND OLD.retain_until <= NEW.purged_at AND NEW.purged_at <= ${clock}`;

export const PURGE_AFTER_RETENTION_MESSAGE = 'the disclosure log is append-only; only the retention purge may clear an entry, once its retention has passed';

/**
 * Each entry gets the date until which it is kept, and the purge's index follows it. Disclosure entries
 * state theirs (`retainUntilOfEntry` reads it from the entry's JSON, as the dialect's ISO text); a
 * delivery's manifest and status entries are kept as long as its disclosure entries. An entry purged
 * before has lost the JSON that said it: it is taken as purged in time (the rule then was its age), so
 * that verification does not call every upgraded log with a purge in it altered.
 */
export const addRetainUntil = (retainUntilOfEntry: string) => `DROP INDEX log_to_purge;
   ALTER TABLE log_entries ADD COLUMN retain_until TEXT;
   UPDATE log_entries SET retain_until = ${retainUntilOfEntry} WHERE kind = 'disclosure' AND purged_at IS NULL;
   UPDATE log_entries SET retain_until = (SELECT MAX(d.retain_until) FROM log_entries d WHERE d.delivery_id = log_entries.delivery_id AND d.kind = 'disclosure')
     WHERE kind <> 'disclosure' AND purged_at IS NULL;
   UPDATE log_entries SET retain_until = purged_at WHERE purged_at IS NOT NULL;
   CREATE INDEX log_to_purge ON log_entries (retain_until) WHERE purged_at IS NULL;`;
