import { randomBytes } from 'node:crypto';

/**
 * A new delivery's id: a UUID of version 7 (RFC 9562), its first 48 bits the time in milliseconds and
 * the other 74 random. Every table and index keyed by delivery id then grows at its end, where version 4's
 * random ids inserted each delivery into a leaf of its own, anywhere in the index.
 */
export function newDeliveryId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
