import * as openpgp from 'openpgp';
import { armor, dearmor, flipBit, packet, seal, sealBomb, sealWithCorruptedSignature, TAG, type HostileKeys } from './pgp.ts';
import { expectProblem, Problems, submission, type HostileCase } from './types.ts';

const malformed = expectProblem(Problems.malformedOpenPgp);
const notToHub = expectProblem(Problems.notEncryptedToHub);
const badSignature = expectProblem(Problems.badSignature);

/**
 * Broken and misused OpenPGP around a valid envelope: truncated and bit-flipped (armoured and
 * binary), encrypted to another key, unsigned, signed by the wrong key, corrupted signatures, other
 * kinds of OpenPGP data, and compression bombs. `valid()` gives a fresh valid envelope's JSON.
 */
export async function openPgpCases(keys: HostileKeys, valid: () => string, decompressedLimit: number): Promise<HostileCase[]> {
  const cases: HostileCase[] = [];
  const armored = await seal(keys, valid());
  const binary = await dearmor(armored);
  const pkesk = packet(binary, TAG.pkesk);
  const seipd = packet(binary, TAG.seipd);

  for (const fraction of [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97, 0.995]) {
    cases.push(submission(`armoured message truncated to ${fraction * 100}%`, armored.slice(0, Math.floor(armored.length * fraction)), malformed));
  }
  cases.push(submission('armour without its END line', armored.replace(/-----END PGP MESSAGE-----\s*$/, ''), malformed));
  cases.push(submission('armour without its BEGIN line', armored.replace(/^-----BEGIN PGP MESSAGE-----/, ''), malformed));
  cases.push(submission('armour whose base64 holds characters outside the alphabet', armored.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1!*~'), malformed));
  for (const at of [pkesk.body + 20, seipd.body + 10, Math.floor((seipd.body + seipd.end) / 2), seipd.end - 25, seipd.end - 1]) {
    cases.push(submission(`binary message truncated at byte ${at} of ${binary.length}, re-armoured`, armor(binary.subarray(0, at)), malformed));
  }
  cases.push(submission('only the session key packet', armor(binary.subarray(0, pkesk.end)), malformed));
  cases.push(submission('only the encrypted data packet', armor(binary.subarray(seipd.start)), malformed));

  // A flipped bit in the encrypted data is caught by the modification detection code (MDC).
  for (const at of [seipd.body + 1, seipd.body + 30, Math.floor((seipd.body + seipd.end) / 2), seipd.end - 22, seipd.end - 1]) {
    for (const bit of [0, 7]) cases.push(submission(`bit ${bit} of byte ${at} flipped in the encrypted data`, armor(flipBit(binary, at, bit)), malformed));
  }
  // In the session key packet: another key id (not for the hub), or a wrapped session key that fails its integrity check.
  for (const at of [pkesk.body + 1, pkesk.body + 8]) cases.push(submission(`bit flipped in the recipient key id (byte ${at})`, armor(flipBit(binary, at)), notToHub));
  for (const at of [pkesk.end - 1, pkesk.end - 8]) cases.push(submission(`bit flipped in the wrapped session key (byte ${at})`, armor(flipBit(binary, at)), malformed));

  // Copies of the hub's session key packet: each would cost the hub a key agreement.
  const withSessionKeys = (n: number) => armor(Buffer.concat([...Array.from({ length: n }, () => binary.subarray(pkesk.start, pkesk.end)), binary.subarray(pkesk.end)]));
  cases.push(submission('33 session key packets', withSessionKeys(33), malformed));
  cases.push(submission('20 000 session key packets', withSessionKeys(20_000), malformed));
  cases.push(submission('binary OpenPGP instead of armour', Buffer.from(binary), malformed));
  cases.push(submission('binary OpenPGP with a flipped bit', Buffer.from(flipBit(binary, seipd.body + 30)), malformed));
  cases.push(submission('armoured message as UTF-16', Buffer.from(armored, 'utf16le'), malformed));

  cases.push(submission('encrypted to another partner, not the hub', await seal(keys, valid(), { to: keys.otherPartner.toPublic() }), notToHub));
  cases.push(submission('encrypted to a stranger', await seal(keys, valid(), { to: keys.stranger.toPublic() }), notToHub));
  cases.push(submission('encrypted with a password only', await openpgp.encrypt({ message: await openpgp.createMessage({ text: valid() }), passwords: ['secret'], config: { aeadProtect: false } }), malformed));
  cases.push(submission('signed but not encrypted', await openpgp.sign({ message: await openpgp.createMessage({ text: valid() }), signingKeys: keys.sender }), malformed));
  cases.push(submission('a cleartext-signed message', await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: valid() }), signingKeys: keys.sender }), malformed));
  cases.push(submission('a public key block', keys.sender.toPublic().armor(), malformed));
  cases.push(submission('a private key block', keys.stranger.armor(), malformed));
  cases.push(submission('a detached signature', await openpgp.sign({ message: await openpgp.createMessage({ text: valid() }), signingKeys: keys.sender, detached: true }), malformed));

  cases.push(submission('unsigned', await seal(keys, valid(), { signer: null }), expectProblem(Problems.unsigned)));
  cases.push(submission('signed by another partner’s key', await seal(keys, valid(), { signer: keys.otherPartner }), badSignature));
  cases.push(submission('signed by a stranger’s key', await seal(keys, valid(), { signer: keys.stranger }), badSignature));
  // Each signature by the sender's key would cost a verification: more than 8 are refused before any is.
  const signedTimes = async (n: number) => seal(keys, valid(), { signer: Array.from({ length: n }, () => keys.sender) });
  cases.push(submission('9 signatures by the sender', await signedTimes(9), malformed));
  cases.push(submission('3000 signatures by the sender', await signedTimes(3000), malformed));
  const signatureEnd = (detached: Uint8Array) => packet(detached, TAG.signature).end;
  cases.push(submission('signed over other content', await sealWithCorruptedSignature(keys, valid(), { signedText: valid() }), badSignature));
  cases.push(submission('signature value corrupted', await sealWithCorruptedSignature(keys, valid(), { corrupt: (s) => flipBit(s, signatureEnd(s) - 1) }), badSignature));
  cases.push(submission('signature’s first value corrupted', await sealWithCorruptedSignature(keys, valid(), { corrupt: (s) => flipBit(s, signatureEnd(s) - 40) }), badSignature));

  // Compression bombs: a few kilobytes on the wire that inflate beyond the configured limit.
  const bomb = decompressedLimit + 1024 * 1024;
  const tooLarge = expectProblem(Problems.tooLarge);
  cases.push(submission('zlib compression bomb', await sealBomb(keys, bomb, { compression: openpgp.enums.compression.zlib }), tooLarge));
  cases.push(submission('deflate compression bomb', await sealBomb(keys, bomb, { compression: openpgp.enums.compression.zip }), tooLarge));
  cases.push(submission('unsigned compression bomb', await sealBomb(keys, bomb, { compression: openpgp.enums.compression.zlib, signer: null }), tooLarge));
  // Within the size limit, but millions of JSON values: refused before anything parses them.
  const emptyObjects = { prefix: '{"messageId":"m","payload":{"x":[', unit: '{},', suffix: '{}]}}' };
  cases.push(submission('a JSON bomb: 6 MB of empty objects, compressed', await sealBomb(keys, 6_000_000, { compression: openpgp.enums.compression.zlib, content: emptyObjects }), tooLarge));
  cases.push(submission('a JSON bomb: 4 MB of nested arrays, compressed', await sealBomb(keys, 4_000_000, { compression: openpgp.enums.compression.zip, content: { unit: '[' } }), tooLarge));
  return cases;
}
