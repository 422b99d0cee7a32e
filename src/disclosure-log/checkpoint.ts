import * as openpgp from 'openpgp';
import type { Checkpoint } from './types.ts';

/** The signed text: a fixed format that anyone can rebuild from the fields and check with gpg. */
export function checkpointStatement(treeSize: number, rootHash: string, signedAt: string): string {
  return `actieoverleg-hub disclosure log\ntree_size: ${treeSize}\nroot_sha256: ${rootHash}\nsigned_at: ${signedAt}\n`;
}

export async function signCheckpoint(treeSize: number, rootHash: string, signedAt: string, keys: openpgp.PrivateKey[]): Promise<Checkpoint> {
  const statement = checkpointStatement(treeSize, rootHash, signedAt);
  const signature = await openpgp.sign({ message: await openpgp.createMessage({ text: statement }), signingKeys: keys, detached: true });
  return { treeSize, rootHash, signedAt, statement, signature: signature as string };
}

export async function checkpointSignatureValid(c: Checkpoint, keys: openpgp.PublicKey[]): Promise<boolean> {
  if (c.statement !== checkpointStatement(c.treeSize, c.rootHash, c.signedAt)) return false;
  try {
    const { signatures } = await openpgp.verify({
      message: await openpgp.createMessage({ text: c.statement }),
      signature: await openpgp.readSignature({ armoredSignature: c.signature }),
      verificationKeys: keys,
    });
    await signatures[0]?.verified;
    return signatures.length > 0;
  } catch {
    return false;
  }
}
