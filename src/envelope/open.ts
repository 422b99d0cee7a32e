import * as openpgp from 'openpgp';
import { HubProblem, Problems } from '../errors/problem.ts';
import { dearmorMessage } from './armor.ts';
import { checkJsonValues } from './json-values.ts';
import { signerProblem } from './keyring.ts';
import { openpgpConfig } from './openpgp-config.ts';

export interface OpenedEnvelope {
  plaintext: string;
  signingKeyId: string;
}

/** What an opened message may expand to: bytes after decompression, and JSON values in its plaintext. */
export interface OpenLimits {
  decompressedBytes: number;
  jsonValues: number;
}

function decryptProblem(err: unknown): HubProblem {
  const message = err instanceof Error ? err.message : String(err);
  if (/decompress|too large|size limit/i.test(message)) return new HubProblem(Problems.tooLarge, 'The decompressed message exceeds the configured limit');
  if (/session key|no decryption key|decryption key|public key encrypted session/i.test(message)) {
    return new HubProblem(Problems.notEncryptedToHub, 'None of the hub’s current keys can decrypt this message');
  }
  return new HubProblem(Problems.malformedOpenPgp, 'The OpenPGP message could not be decrypted');
}

// Each session key packet for one of the hub's keys (or for anyone) costs a key agreement, some
// 0.6 ms: a 5 MiB body of them would hold the process for half a minute. Real senders need a few.
const MAX_RECIPIENTS = 32;
// Each signature the sender's key made costs a verification, some 0.13 ms: a 5 MiB body of copies would
// hold the process for seconds. Real senders sign once (a rotating sender perhaps with two keys).
const MAX_SIGNATURES = 8;

// A leading byte-order mark is dropped (RFC 8259 lets a parser ignore it); any invalid byte is refused.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new HubProblem(Problems.malformedJson, 'The decrypted plaintext is not valid UTF-8');
  }
}

/** The message in the armour: bytes in the plain layout are dearmoured natively, anything else by openpgp. */
async function readArmoured(armored: string | Uint8Array, config: openpgp.PartialConfig): Promise<openpgp.Message<string>> {
  if (typeof armored === 'string') return openpgp.readMessage({ armoredMessage: armored, config });
  const packets = dearmorMessage(armored);
  if (packets) return openpgp.readMessage({ binaryMessage: packets, config });
  return openpgp.readMessage({ armoredMessage: new TextDecoder().decode(armored), config });
}

/**
 * Decrypts a partner's armoured message with the hub's keys and verifies that it is signed by one of
 * the keys registered for the partner of the TLS identity. Anything else is refused with its problem.
 */
export async function openEnvelope(
  /** The armoured message, or its bytes as they came in (decoded here, on the worker thread). */
  armored: string | Uint8Array,
  hubKeys: openpgp.PrivateKey[],
  senderKeys: openpgp.PublicKey[],
  limits: OpenLimits,
  /** The moment at which keys must be valid (the hub's clock). */
  date: Date = new Date(),
  /** Whether the key that made a verified signature is in force (its registration period); throws the problem if not. */
  inForce: (keyId: string) => Promise<void> = async () => undefined,
): Promise<OpenedEnvelope> {
  const config = openpgpConfig(limits.decompressedBytes);
  let message: openpgp.Message<string>;
  try {
    message = await readArmoured(armored, config);
  } catch {
    throw new HubProblem(Problems.malformedOpenPgp, 'The body is not an ASCII-armoured OpenPGP message');
  }
  const recipients = message.getEncryptionKeyIDs().length;
  if (recipients === 0) {
    throw new HubProblem(Problems.malformedOpenPgp, 'The OpenPGP message is not encrypted to a public key');
  }
  if (recipients > MAX_RECIPIENTS) {
    throw new HubProblem(Problems.malformedOpenPgp, `The OpenPGP message is encrypted to ${recipients} keys; at most ${MAX_RECIPIENTS} are accepted`);
  }
  let result: openpgp.DecryptMessageResult & { data: Uint8Array };
  try {
    // As bytes: openpgp's own text decoding would turn invalid UTF-8 into U+FFFD and let it through.
    // No verification keys yet: openpgp would verify every signature at once; without a key to match,
    // each is only listed, so that they can be counted before any is verified.
    result = await openpgp.decrypt({ message, decryptionKeys: hubKeys, verificationKeys: [], date, config, format: 'binary' });
  } catch (err) {
    throw decryptProblem(err);
  }
  const signatures = result.signatures;
  if (signatures.length === 0) throw new HubProblem(Problems.unsigned, 'The message carries no signature');
  if (signatures.length > MAX_SIGNATURES) {
    throw new HubProblem(Problems.malformedOpenPgp, `The OpenPGP message carries ${signatures.length} signatures; at most ${MAX_SIGNATURES} are accepted`);
  }
  const signingKeyId = await signerInForce(result, senderKeys, date, config, inForce);
  return { plaintext: checkedPlaintext(result.data, limits), signingKeyId };
}

/**
 * The key id of the first signature that verifies by a key in force. A sender rotating its keys may
 * sign with the old and the new; if no signature holds, the first signature's problem is the answer.
 */
async function signerInForce(
  result: openpgp.DecryptMessageResult & { data: Uint8Array },
  senderKeys: openpgp.PublicKey[],
  date: Date,
  config: openpgp.PartialConfig,
  inForce: (keyId: string) => Promise<void>,
): Promise<string> {
  let refusal: HubProblem | undefined;
  for (const signature of result.signatures) {
    const keyId = signature.keyID.toHex();
    try {
      await verifySignature(result.data, await signature.signature, senderKeys, date, config);
    } catch {
      refusal ??= await signerProblem(senderKeys, keyId, date);
      continue;
    }
    const problem = await inForce(keyId).then(() => undefined, (err: unknown) => err);
    if (problem === undefined) return keyId;
    if (!(problem instanceof HubProblem)) throw problem;
    refusal ??= problem;
  }
  throw refusal!;
}

/** One signature over the decrypted literal data, as openpgp would have verified it in place. */
async function verifySignature(data: Uint8Array, signature: openpgp.Signature, keys: openpgp.PublicKey[], date: Date, config: openpgp.PartialConfig): Promise<void> {
  const checked = await openpgp.verify({ message: await openpgp.createMessage({ binary: data }), signature, verificationKeys: keys, date, config, format: 'binary' });
  const [verification] = checked.signatures;
  if (!verification) throw new TypeError('no signature packet');
  await verification.verified;
}

function checkedPlaintext(data: Uint8Array, limits: OpenLimits): string {
  const plaintext = utf8(data);
  checkJsonValues(plaintext, limits.jsonValues);
  return plaintext;
}
