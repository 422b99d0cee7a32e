import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { armorMessage, crc24, dearmorMessage } from '../../../src/envelope/armor.ts';

/** RFC 4880 §6.1's checksum, bit by bit as the RFC's C code computes it. */
function crc24BitByBit(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

const openpgpArmor = (packets: Uint8Array) => openpgp.armor(openpgp.enums.armor.message, packets, undefined, undefined, undefined, true);

// Lengths around the 4-byte steps of the checksum and the 45-byte lines of the base64.
const edges = [0, 1, 2, 3, 4, 5, 7, 8, 44, 45, 46, 89, 90, 91, 4096, 65_537];

describe('armorMessage', () => {
  it('computes the RFC 4880 checksum, for every length and content', () => {
    for (const n of edges) {
      const data = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 0xff);
      expect(crc24(data), `length ${n}`).toBe(crc24BitByBit(data));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => crc24(data) === crc24BitByBit(data)));
  });

  it('writes byte for byte what openpgp writes, which openpgp reads back to the same packets', async () => {
    for (const n of edges) {
      const packets = new Uint8Array(n).map((_, i) => (i * 251 + n) & 0xff);
      const armored = armorMessage(packets);
      expect(armored.toString('latin1'), `length ${n}`).toBe(openpgpArmor(packets));
      expect(Buffer.from((await openpgp.unarmor(armored.toString('latin1'))).data as Uint8Array)).toEqual(Buffer.from(packets));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), (packets) => armorMessage(packets).toString('latin1') === openpgpArmor(packets)));
  });

  it('reads only the view of the packets it is given, and writes into a buffer of its own', () => {
    const backing = new Uint8Array(100).fill(0xaa);
    const view = backing.subarray(10, 20).fill(1);
    expect(armorMessage(view).toString('latin1')).toBe(openpgpArmor(new Uint8Array(10).fill(1)));
    // A small Buffer would otherwise share Node's pool, and transferring it would take the pool away.
    const armored = armorMessage(view);
    expect(armored.buffer.byteLength).toBe(armored.length);
  });
});

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const openpgpPackets = async (text: string) => Buffer.from((await openpgp.unarmor(text)).data as Uint8Array);
/** An armoured message as another writer might lay it out: line length, line ends, headers, checksum. */
function laidOut(packets: Uint8Array, { width = 64, eol = '\n', headers = [] as string[], checksum = true, trailing = '\n' } = {}): string {
  const base64 = Buffer.from(packets).toString('base64');
  const lines = base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
  const crc = crc24(packets);
  const sum = checksum ? [`=${Buffer.from([crc >>> 16, (crc >>> 8) & 0xff, crc & 0xff]).toString('base64')}`] : [];
  return ['-----BEGIN PGP MESSAGE-----', ...headers, '', ...lines, ...sum, '-----END PGP MESSAGE-----'].join(eol) + trailing;
}

describe('dearmorMessage', () => {
  it('reads back what armorMessage writes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 500 }), (packets) => dearmorMessage(armorMessage(packets))?.equals(packets) === true));
  });

  it('reads the same packets as openpgp from the forms GnuPG and others write', async () => {
    const packets = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    const forms = [
      laidOut(packets),
      laidOut(packets, { eol: '\r\n', trailing: '\r\n' }),
      laidOut(packets, { headers: ['Version: GnuPG v2', 'Comment: https://gnupg.org'] }),
      laidOut(packets, { checksum: false, width: 76 }),
      laidOut(packets.subarray(0, 998), { trailing: '' }),
      laidOut(packets.subarray(0, 997), { checksum: false, trailing: '\n\n  \n' }),
    ];
    for (const form of forms) expect(dearmorMessage(bytesOf(form)), JSON.stringify(form.slice(0, 80))).toEqual(await openpgpPackets(form));
  });

  it('leaves every other form to openpgp', () => {
    const form = laidOut(new Uint8Array(200).fill(7));
    const unusual = {
      'text before the armour': `Hello\n${form}`,
      'another armour type': form.replaceAll('PGP MESSAGE', 'PGP SIGNATURE'),
      'no blank line after the BEGIN line': form.replace('-----\n\n', '-----\n'),
      'a malformed header': form.replace('-----\n\n', '-----\nnot a header\n\n'),
      'no END line': form.replace('-----END PGP MESSAGE-----\n', ''),
      'a line of dashes inside the base64': form.replace('\n=', '\n-----BREAK-----\n='),
      "an '=' inside the base64": form.replace(/\n(.)/, '\n=$1'),
      'a character outside the base64 alphabet': form.replace(/\n(.)/, '\n*$1'),
      'base64url characters': form.replace(/\n(.)/, '\n-_$1'),
      'text after the END line': `${form}more`,
      'a second message': form + form,
      'a whitespace-only blank line': form.replace('-----\n\n', '-----\n \n'),
    };
    for (const [why, text] of Object.entries(unusual)) expect(dearmorMessage(bytesOf(text)), why).toBeUndefined();
  });
});
