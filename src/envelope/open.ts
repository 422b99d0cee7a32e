import * as openpgp from 'openpgp';
import { HubProblem, Problems } from '../errors/problem.ts';
import { signerProblem } from './keyring.ts';
import { openpgpConfig } from './openpgp-config.ts';

export interface OpenedEnvelope {
  plaintext: string;
  signingKeyId: string;
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

/**
 * Decrypts a partner's armoured message with the hub's keys and verifies that it is signed by one of
 * the keys registered for the partner of the TLS identity. Anything else is refused with its problem.
 */
export async function openEnvelope(
  armored: string,
  hubKeys: openpgp.PrivateKey[],
  senderKeys: openpgp.PublicKey[],
  maxDecompressedBytes: number,
  /** The moment at which keys must be valid (the hub's clock). */
  date: Date = new Date(),
): Promise<OpenedEnvelope> {
  const config = openpgpConfig(maxDecompressedBytes);
  let message: openpgp.Message<string>;
  try {
    message = await openpgp.readMessage({ armoredMessage: armored, config });
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
  const [first, ...others] = result.signatures;
  if (!first) throw new HubProblem(Problems.unsigned, 'The message carries no signature');
  if (others.length >= MAX_SIGNATURES) {
    throw new HubProblem(Problems.malformedOpenPgp, `The OpenPGP message carries ${others.length + 1} signatures; at most ${MAX_SIGNATURES} are accepted`);
  }
  const signingKeyId = first.keyID.toHex();
  try {
    // The first signature, over the decrypted literal data, as openpgp would have verified it in place.
    const checked = await openpgp.verify({ message: await openpgp.createMessage({ binary: result.data }), signature: await first.signature, verificationKeys: senderKeys, date, config, format: 'binary' });
    const [verification] = checked.signatures;
    if (!verification) throw new TypeError('no signature packet');
    await verification.verified;
  } catch {
    throw await signerProblem(senderKeys, signingKeyId, date);
  }
  return { plaintext: utf8(result.data), signingKeyId };
}
