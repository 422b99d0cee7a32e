import { DatabaseSync } from 'node:sqlite';

/** Row counts of the hub's tables, read from the database file itself. */
export function rowCounts(path: string): Record<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const out: Record<string, number> = {};
    for (const table of ['messages', 'deliveries', 'delivery_events', 'disclosures']) {
      out[table] = Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
    }
    return out;
  } finally {
    db.close();
  }
}

/** Every text value in every table, for searching the database for plaintext. */
export function allText(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

/** The disclosure record of one delivery, as stored. */
export function disclosureRow(path: string, deliveryId: string): Record<string, unknown> | undefined {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare('SELECT * FROM disclosures WHERE delivery_id = ?').get(deliveryId) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

/**
 * What a refused request must not add: messages, deliveries and disclosure records. Delivery events are
 * left out, because workers append them to earlier deliveries at any moment.
 */
export function storedRows(path: string): { messages: number; deliveries: number; disclosures: number } {
  const { messages = 0, deliveries = 0, disclosures = 0 } = rowCounts(path);
  return { messages, deliveries, disclosures };
}
