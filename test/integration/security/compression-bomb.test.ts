import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { openEnvelope } from '../../../src/envelope/open.ts';
import { HubProblem } from '../../../src/errors/problem.ts';
import { loadHostileKeys, sealBomb, type HostileKeys } from '../../support/hostile/pgp.ts';
import { CERTS } from '../../support/hub.ts';

/**
 * openpgp decompresses without limit unless told; the hub's limit must stop a bomb while it inflates,
 * not after: a message that expands to 256 MiB may not cost the process anywhere near that.
 */
const MiB = 1024 * 1024;
let keys: HostileKeys;
let hubKey: openpgp.PrivateKey;

beforeAll(async () => {
  keys = await loadHostileKeys(CERTS, 'politie', 'vt');
  hubKey = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(CERTS, 'hub', 'pgp-private.asc'), 'utf8') });
});

describe('a compression bomb inside an encrypted, signed message', () => {
  it('is refused with 413 while inflating, holding far less than its expanded size', async () => {
    const armored = await sealBomb(keys, 256 * MiB, { compression: openpgp.enums.compression.zlib });
    expect(armored.length).toBeLessThan(2 * MiB);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const refusal = await openEnvelope(armored, [hubKey], [keys.sender.toPublic()], { decompressedBytes: 16 * MiB, jsonValues: 100_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(refusal).toBeInstanceOf(HubProblem);
    expect((refusal as HubProblem).kind.slug).toBe('too-large');
    expect((peak - before) / MiB).toBeLessThan(128);
  });

  it('opens the same message when the limit allows its size, so the limit is what refused it', async () => {
    const armored = await sealBomb(keys, 4 * MiB, { compression: openpgp.enums.compression.zip });
    await expect(openEnvelope(armored, [hubKey], [keys.sender.toPublic()], { decompressedBytes: 4 * MiB - 1, jsonValues: 100_000 })).rejects.toMatchObject({ kind: { slug: 'too-large' } });
    // The zeros are not JSON, but they were decrypted, decompressed and verified in full.
    const opened = await openEnvelope(armored, [hubKey], [keys.sender.toPublic()], { decompressedBytes: 4 * MiB + 1024, jsonValues: 100_000 });
    expect(opened.plaintext.length).toBe(4 * MiB);
  });
});
