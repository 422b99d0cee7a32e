/** Enough for the deliveries of a few 1 MB messages in flight at once (a sealed copy is about 2.7 MB). */
export const RECENT_CIPHERTEXT_BYTES = 64 * 1024 ** 2;

/**
 * Sealed messages kept in memory from the outbox to their first push, so that a delivery made at once
 * does not read megabytes back from the database it was just written to (a fresh 2.7 MB buffer takes
 * 5–8 ms to fill on our machines). Bounded by bytes, the oldest dropped first. The database stays the
 * source: a retry, a restart, another instance or a dropped entry read the ciphertext there.
 */
export class RecentCiphertext {
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;
  private readonly budget: number;

  constructor(budget = RECENT_CIPHERTEXT_BYTES) {
    this.budget = budget;
  }

  remember(deliveryId: string, ciphertext: Uint8Array): void {
    if (ciphertext.byteLength > this.budget || this.entries.has(deliveryId)) return;
    this.entries.set(deliveryId, ciphertext);
    this.bytes += ciphertext.byteLength;
    for (const [oldest, dropped] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.entries.delete(oldest);
      this.bytes -= dropped.byteLength;
    }
  }

  /** The ciphertext, once: after the first attempt it is read from the database like any other. */
  take(deliveryId: string): Uint8Array | undefined {
    const ciphertext = this.entries.get(deliveryId);
    if (ciphertext === undefined) return undefined;
    this.entries.delete(deliveryId);
    this.bytes -= ciphertext.byteLength;
    return ciphertext;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
