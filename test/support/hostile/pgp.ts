import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';

/** The keys a hostile sender has: its own, another partner's, a stranger's, and the hub's public key. */
export interface HostileKeys {
  hub: openpgp.PublicKey;
  sender: openpgp.PrivateKey;
  otherPartner: openpgp.PrivateKey;
  stranger: openpgp.PrivateKey;
}

export async function loadHostileKeys(certs: string, sender: string, otherPartner: string): Promise<HostileKeys> {
  const privateKey = (file: string) => openpgp.readPrivateKey({ armoredKey: readFileSync(file, 'utf8') });
  const { privateKey: stranger } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'stranger' }], format: 'object' });
  return {
    hub: await openpgp.readKey({ armoredKey: readFileSync(join(certs, 'hub', 'pgp-public.asc'), 'utf8') }),
    sender: await privateKey(join(certs, 'partners', sender, 'pgp-private.asc')),
    otherPartner: await privateKey(join(certs, 'partners', otherPartner, 'pgp-private.asc')),
    stranger,
  };
}

export interface SealOptions {
  /** Who signs: the sender by default; `null` for an unsigned message; a list for one signature each. */
  signer?: openpgp.PrivateKey | openpgp.PrivateKey[] | null;
  /** To whom it is encrypted: the hub by default. */
  to?: openpgp.PublicKey;
}

/** Signs and encrypts plaintext as a partner would, armoured, or as binary packets. */
export async function seal(keys: HostileKeys, plaintext: string | Uint8Array, options: SealOptions = {}): Promise<string> {
  return openpgp.encrypt({
    message: await (typeof plaintext === 'string' ? openpgp.createMessage({ text: plaintext }) : openpgp.createMessage({ binary: plaintext })),
    encryptionKeys: options.to ?? keys.hub,
    ...(options.signer === null ? {} : { signingKeys: options.signer ?? keys.sender }),
    config: { aeadProtect: false },
  });
}

/** What a bomb expands to: `unit` repeated between `prefix` and `suffix` (zeros by default). */
export interface BombContent {
  prefix?: string;
  unit?: string;
  suffix?: string;
}

/**
 * A compression bomb: about `expandedBytes` of `content`, signed (unless `signer` is null), compressed
 * and encrypted to the hub. The content is streamed in, so a bomb of any size costs the test no memory.
 */
export async function sealBomb(keys: HostileKeys, expandedBytes: number, options: SealOptions & { compression: openpgp.enums.compression; content?: BombContent }): Promise<string> {
  const { prefix = '', unit = '\0', suffix = '' } = options.content ?? {};
  const chunk = Buffer.from(unit.repeat(Math.max(1, Math.floor((1024 * 1024) / unit.length))));
  const parts = [Buffer.from(prefix)];
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts.shift();
      if (part) return controller.enqueue(part);
      if (produced >= expandedBytes) {
        controller.enqueue(Buffer.from(suffix));
        return controller.close();
      }
      const remaining = expandedBytes - produced;
      const size = Math.max(unit.length, Math.min(chunk.length, remaining - (remaining % unit.length)));
      produced += size;
      controller.enqueue(chunk.subarray(0, size));
    },
  });
  const encrypted = await openpgp.encrypt({
    message: await openpgp.createMessage({ binary: stream }),
    encryptionKeys: keys.hub,
    ...(options.signer === null ? {} : { signingKeys: options.signer ?? keys.sender }),
    config: { aeadProtect: false, preferredCompressionAlgorithm: options.compression },
  });
  let armored = '';
  for await (const part of encrypted as ReadableStream<string>) armored += part;
  return armored;
}

export async function dearmor(armored: string): Promise<Uint8Array> {
  return (await openpgp.unarmor(armored)).data as Uint8Array;
}

export function armor(bytes: Uint8Array): string {
  return openpgp.armor(openpgp.enums.armor.message, bytes);
}

export interface PacketSpan {
  tag: number;
  /** Offset of the packet's first byte and of its body's first byte, and the end of the body. */
  start: number;
  body: number;
  end: number;
}

/**
 * The top-level packets of an OpenPGP byte string (RFC 4880 §4.2): enough structure to corrupt a
 * chosen packet rather than a random byte, so each case knows which problem it must get.
 */
function packets(bytes: Uint8Array): PacketSpan[] {
  const out: PacketSpan[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const head = bytes[at++]!;
    let tag: number;
    let length: number;
    if (head & 0x40) {
      tag = head & 0x3f;
      const first = bytes[at++]!;
      if (first < 192) length = first;
      else if (first < 224) length = ((first - 192) << 8) + bytes[at++]! + 192;
      else if (first === 255) {
        length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
        at += 4;
      } else {
        // A partial body length: the packet runs to the end of the message in what the tests build.
        length = bytes.length - at;
      }
    } else {
      tag = (head >> 2) & 0x0f;
      const lengthType = head & 0x03;
      const size = [1, 2, 4, 0][lengthType]!;
      length = size === 0 ? bytes.length - at : Number(bytes.subarray(at, at + size).reduce((n, b) => n * 256 + b, 0));
      at += size;
    }
    out.push({ tag, start, body: at, end: at + length });
    at += length;
  }
  return out;
}

export const TAG = { pkesk: 1, signature: 2, seipd: 18 } as const;

export function packet(bytes: Uint8Array, tag: number): PacketSpan {
  const found = packets(bytes).find((p) => p.tag === tag);
  if (!found) throw new Error(`no packet with tag ${tag}`);
  return found;
}

/** A copy with one bit of one byte inverted. */
export function flipBit(bytes: Uint8Array, offset: number, bit = 0): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[offset]! ^= 1 << bit;
  return copy;
}

/**
 * A message signed in the older form (the signature packet before the literal data) whose signature
 * is corrupted, or made over other text, before it is encrypted to the hub: the encryption is
 * intact, so only the signature check can notice.
 */
export async function sealWithCorruptedSignature(keys: HostileKeys, plaintext: string, options: { signedText?: string; corrupt?: (signature: Uint8Array) => Uint8Array }): Promise<string> {
  const detached = await openpgp.sign({ message: await openpgp.createMessage({ text: options.signedText ?? plaintext }), signingKeys: keys.sender, detached: true, format: 'binary' });
  const signature = await openpgp.readSignature({ binarySignature: (options.corrupt ?? ((b) => b))(detached as Uint8Array) });
  const message = await openpgp.createMessage({ text: plaintext });
  message.packets.unshift(...signature.packets);
  return openpgp.encrypt({ message, encryptionKeys: keys.hub, config: { aeadProtect: false } });
}
