import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSignatureValid } from '../../../src/disclosure-log/checkpoint.ts';
import { DisclosureLog } from '../../../src/disclosure-log/service.ts';
import { envelope, familyCase, stalkingCase } from '../../../src/simulator/cases.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { storedRows } from '../../support/db.ts';
import { CERTS, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';
import { DAY, newKeyPair, partnerSigningWith as signer, testClock } from '../../support/pgp.ts';

const clock = testClock();
const dir = mkdtempSync(join(tmpdir(), 'aoh-keys-'));
const fixture = stalkingCase();
const T0 = Date.now();
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
/** A submission dated by the hub's clock, so that it is inside the accepted window. */
const submission = () => ({ ...envelope('submission', 'intake', fixture.caseRef, fixture.submission), createdAt: clock.now().toISOString() });
const hubOldPublic = () => openpgp.readKey({ armoredKey: readFileSync(join(CERTS, 'hub/pgp-public.asc'), 'utf8') });

let t: TestHub;
const opened: SimulatedPartner[] = [];
async function partnerSigningWith(...args: Parameters<typeof signer>): Promise<SimulatedPartner> {
  const partner = await signer(...args);
  opened.push(partner);
  return partner;
}
let newHubKey: openpgp.PrivateKey;
let politieNew: openpgp.PrivateKey;
let politieOld: openpgp.PrivateKey;
let omExpiring: openpgp.PrivateKey;
let omRevokedSigner: openpgp.PrivateKey;

beforeAll(async () => {
  newHubKey = (await newKeyPair('Actieoverleg Hub 2027')).privateKey;
  writeFileSync(join(dir, 'hub-private.asc'), newHubKey.armor());
  writeFileSync(join(dir, 'hub-public.asc'), newHubKey.toPublic().armor());
  politieOld = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(CERTS, 'partners/politie/pgp-private.asc'), 'utf8') });
  politieNew = (await newKeyPair('Politie 2027')).privateKey;
  omExpiring = (await newKeyPair('OM short-lived', { expiresAfterSeconds: 86_400 })).privateKey;
  const revoking = await newKeyPair('OM compromised');
  omRevokedSigner = await openpgp.readPrivateKey({ armoredKey: revoking.privateKey.armor() });
  const revoked = await openpgp.revokeKey({ key: revoking.privateKey, format: 'armored' });
  const omOwn = readFileSync(join(CERTS, 'partners/om/pgp-public.asc'), 'utf8');

  t = await startTestHub(
    (c) => {
      // The hub's key was rotated at T0: the development key still decrypts for five days.
      c.hub.pgp = { publicKey: join(dir, 'hub-public.asc'), privateKey: join(dir, 'hub-private.asc'), previousKeys: [{ privateKey: join(CERTS, 'hub/pgp-private.asc'), decryptUntil: at(5) }] };
      // Politie rotates its key: the new one from day 1, the old one until day 10.
      withPartner(c, 'politie', {
        pgpKeys: [
          { armored: politieOld.toPublic().armor(), validUntil: at(10) },
          { armored: politieNew.toPublic().armor(), validFrom: at(1) },
        ],
      });
      // Reclassering's only key ends on day 20 and nobody registered its successor.
      withPartner(c, 'reclassering', { pgpKeys: [{ armored: readFileSync(join(CERTS, 'partners/reclassering/pgp-public.asc'), 'utf8'), validUntil: at(20) }] });
      withPartner(c, 'om', { pgpKeys: [{ armored: omOwn }, { armored: omExpiring.toPublic().armor() }, { armored: revoked.publicKey }] });
    },
    { now: clock.now },
  );
});
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function problemOf(partner: SimulatedPartner, armored: string) {
  const before = await storedRows(t.config.hub.database);
  const answer = await partner.request('POST', '/v1/messages', armored, { 'content-type': 'application/pgp-encrypted' });
  expect(await storedRows(t.config.hub.database)).toEqual(before);
  return { status: answer.status, type: (JSON.parse(answer.body) as { type: string }).type.replace('urn:actieoverleg-hub:problem:', '') };
}

describe('OpenPGP identity of the sender', () => {
  it('refuses a message signed by another partner’s key, an unsigned one, and one encrypted to a key that is not the hub’s', async () => {
    clock.set(0);
    const politie = await t.partner('politie');
    const om = await t.partner('om');
    expect(await problemOf(politie, await om.seal(submission()))).toEqual({ status: 403, type: 'bad-signature' });
    const hubKey = await politie.hubPublicKey();
    const unsigned = await openpgp.encrypt({ message: await openpgp.createMessage({ text: JSON.stringify(submission()) }), encryptionKeys: hubKey });
    expect(await problemOf(politie, unsigned)).toEqual({ status: 403, type: 'unsigned-message' });
    const stranger = (await newKeyPair('Not the hub')).publicKey;
    const elsewhere = await openpgp.encrypt({ message: await openpgp.createMessage({ text: JSON.stringify(submission()) }), encryptionKeys: stranger, signingKeys: politieOld });
    expect(await problemOf(politie, elsewhere)).toEqual({ status: 400, type: 'not-encrypted-to-hub' });
  });

  it('refuses a message signed by an expired key with key-expired', async () => {
    clock.set(2);
    const om = await partnerSigningWith('om', t.url, omExpiring);
    expect(await problemOf(om, await om.seal(submission()))).toEqual({ status: 403, type: 'key-expired' });
  });

  it('refuses a message signed by a revoked key with key-revoked', async () => {
    clock.set(0);
    const om = await partnerSigningWith('om', t.url, omRevokedSigner);
    expect(await problemOf(om, await om.seal(submission()))).toEqual({ status: 403, type: 'key-revoked' });
  });
});

describe('partner key rotation', () => {
  async function decryptsWith(armored: string, key: openpgp.PrivateKey): Promise<boolean> {
    try {
      await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: armored }), decryptionKeys: key });
      return true;
    } catch {
      return false;
    }
  }

  async function vtToNewHubKey(): Promise<SimulatedPartner> {
    const vtKey = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(CERTS, 'partners/vt/pgp-private.asc'), 'utf8') });
    return partnerSigningWith('vt', t.url, vtKey, newHubKey.toPublic());
  }

  async function politieDelivery(): Promise<string> {
    const vt = await vtToNewHubKey();
    const fx = familyCase();
    const minutes = { ...envelope('minutes', 'execution', fx.caseRef, fx.minutes), createdAt: clock.now().toISOString() };
    const answer = await vt.submit(minutes);
    expect(answer.status).toBe(202);
    const id = (JSON.parse(answer.body) as { deliveries: { recipient: string; deliveryId: string }[] }).deliveries.find((d) => d.recipient === 'politie')!.deliveryId;
    return Buffer.from((await t.hub.store.getDelivery(id))!.ciphertext).toString('utf8');
  }

  it('before the new key’s period only the old key signs and is encrypted to', async () => {
    clock.set(0);
    expect((await (await partnerSigningWith('politie', t.url, politieOld)).submit(submission())).status).toBe(202);
    const early = await partnerSigningWith('politie', t.url, politieNew);
    expect(await problemOf(early, await early.seal(submission()))).toEqual({ status: 403, type: 'bad-signature' });
    const delivery = await politieDelivery();
    expect([await decryptsWith(delivery, politieOld), await decryptsWith(delivery, politieNew)]).toEqual([true, false]);
  });

  it('during the overlap both keys verify, and deliveries are encrypted to both', async () => {
    clock.set(2);
    for (const key of [politieOld, politieNew]) expect((await (await partnerSigningWith('politie', t.url, key)).submit(submission())).status).toBe(202);
    const delivery = await politieDelivery();
    expect([await decryptsWith(delivery, politieOld), await decryptsWith(delivery, politieNew)]).toEqual([true, true]);
  });

  it('after the overlap the old key is refused with key-expired and deliveries go to the new key only', async () => {
    clock.set(11);
    const old = await partnerSigningWith('politie', t.url, politieOld, newHubKey.toPublic());
    expect(await problemOf(old, await old.seal(submission()))).toEqual({ status: 403, type: 'key-expired' });
    expect((await (await partnerSigningWith('politie', t.url, politieNew, newHubKey.toPublic())).submit(submission())).status).toBe(202);
    const delivery = await politieDelivery();
    expect([await decryptsWith(delivery, politieOld), await decryptsWith(delivery, politieNew)]).toEqual([false, true]);
  });

  it('accepts a message signed with both keys, in either order, before, during and after the overlap', async () => {
    const politie = await t.partner('politie');
    const signedBy = async (signingKeys: openpgp.PrivateKey[], hubKey: openpgp.PublicKey) =>
      openpgp.encrypt({ message: await openpgp.createMessage({ text: JSON.stringify(submission()) }), encryptionKeys: hubKey, signingKeys });
    for (const day of [0, 2, 11]) {
      clock.set(day);
      for (const order of [[politieOld, politieNew], [politieNew, politieOld]]) {
        const answer = await politie.request('POST', '/v1/messages', await signedBy(order, newHubKey.toPublic()), { 'content-type': 'application/pgp-encrypted' });
        expect([day, answer.status]).toEqual([day, 202]);
      }
    }
    // Neither key in force (the new one's period has not begun, and the old one is a stranger's): the first signature's problem.
    clock.set(0);
    const stranger = (await newKeyPair('Not registered')).privateKey;
    expect(await problemOf(politie, await signedBy([politieNew, stranger], newHubKey.toPublic()))).toEqual({ status: 403, type: 'bad-signature' });
  });

  it('answers 503 unavailable, storing nothing, when a recipient has no key in force', async () => {
    clock.set(21);
    const before = await storedRows(t.config.hub.database);
    const answer = await (await vtToNewHubKey()).submit({ ...envelope('minutes', 'execution', fixture.caseRef, familyCase().minutes), createdAt: clock.now().toISOString() });
    expect([answer.status, JSON.parse(answer.body).type]).toEqual([503, 'urn:actieoverleg-hub:problem:unavailable']);
    expect(JSON.parse(answer.body).detail).toContain('reclassering');
    expect(await storedRows(t.config.hub.database)).toEqual(before);
  });
});

describe('hub key rotation', () => {
  it('serves the new key first, signs with it, and still decrypts messages to the old key until the date', async () => {
    clock.set(1);
    const politie = await t.partner('politie');
    const served = await politie.request('GET', '/v1/hub-key');
    const keys = await openpgp.readKeys({ armoredKeys: served.body });
    expect(keys.map((k) => k.getFingerprint())).toEqual([newHubKey.getFingerprint(), (await hubOldPublic()).getFingerprint()]);
    expect((await openpgp.readKey({ armoredKey: served.body })).getFingerprint()).toBe(newHubKey.getFingerprint());

    const toOld = await partnerSigningWith('politie', t.url, politieOld, await hubOldPublic());
    expect((await toOld.submit(submission())).status).toBe(202);
    const toNew = await partnerSigningWith('politie', t.url, politieOld, newHubKey.toPublic());
    const answer = JSON.parse((await toNew.submit(submission())).body) as { deliveries: { deliveryId: string }[] };
    const delivered = Buffer.from((await t.hub.store.getDelivery(answer.deliveries[0]!.deliveryId))!.ciphertext).toString('utf8');
    const vtKey = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(CERTS, 'partners/vt/pgp-private.asc'), 'utf8') });
    const verifyWith = async (key: openpgp.PublicKey) => {
      const { signatures } = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: delivered }), decryptionKeys: vtKey, verificationKeys: key });
      return signatures[0]!.verified.then(() => true, () => false);
    };
    expect([await verifyWith(newHubKey.toPublic()), await verifyWith(await hubOldPublic())]).toEqual([true, false]);
  });

  it('still verifies the disclosure log’s checkpoints signed with the previous key', async () => {
    clock.set(1);
    const send = async () => expect((await (await partnerSigningWith('politie', t.url, politieOld, newHubKey.toPublic())).submit(submission())).status).toBe(202);
    const oldKey = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(CERTS, 'hub/pgp-private.asc'), 'utf8') });
    await send();
    // As the hub signed before its key was rotated.
    const beforeRotation = await new DisclosureLog(t.hub.store.log, { sign: [oldKey], verify: [] }).checkpoint();
    expect(await checkpointSignatureValid(beforeRotation, [oldKey.toPublic()])).toBe(true);
    await send();
    expect(await checkpointSignatureValid(await t.hub.disclosureLog.checkpoint(), [newHubKey.toPublic()])).toBe(true);
    expect(await t.hub.disclosureLog.verify()).toMatchObject({ intact: true });
    expect(await new DisclosureLog(t.hub.store.log, { sign: [], verify: [newHubKey.toPublic()] }).verify()).toMatchObject({ intact: false });
  });

  it('after the date a message to the old key is not-encrypted-to-hub, and only the new key is served', async () => {
    clock.set(6);
    const toOld = await partnerSigningWith('politie', t.url, politieOld, await hubOldPublic());
    expect(await problemOf(toOld, await toOld.seal(submission()))).toEqual({ status: 400, type: 'not-encrypted-to-hub' });
    const served = await toOld.request('GET', '/v1/hub-key');
    expect((await openpgp.readKeys({ armoredKeys: served.body })).map((k) => k.getFingerprint())).toEqual([newHubKey.getFingerprint()]);
  });
});
