import type { Manifest } from '../../src/minimisation/engine.ts';
import type { DeliveryRecord, DisclosureRecord, MessageRecord } from '../../src/store/types.ts';

/** An agenda's manifest as a policy leaves it: per person, the fields let through and those withheld. */
function agendaManifest(persons: number): Manifest {
  const disclosed: Manifest['disclosed'] = [];
  const withheld: Manifest['withheld'] = [];
  for (let i = 0; i < persons; i++) {
    const at = `/items/${i >> 2}/persons/${i & 3}`;
    for (const field of ['personId', 'name', 'dateOfBirth']) disclosed.push({ path: `${at}/${field}`, category: 'identification', transform: 'keep' });
    disclosed.push({ path: `${at}/role`, category: 'role', transform: 'keep' }, { path: `${at}/bsn`, category: 'identification', transform: 'pseudonymise' });
    withheld.push({ path: `${at}/address`, category: 'contact' }, { path: `${at}/healthNotes`, category: 'health' });
  }
  return { disclosed, withheld };
}

/**
 * What the store is given for one delivery of an agenda naming `persons` persons (four per item): the
 * message, the delivery and its disclosure, with a manifest that grows with the persons as a real one does.
 */
export function agendaDisclosure(id: string, persons: number): { message: MessageRecord; delivery: DeliveryRecord; disclosure: DisclosureRecord } {
  const at = new Date().toISOString();
  const delivery: DeliveryRecord = { deliveryId: `d-${id}`, messageId: `m-${id}`, sender: 'vt', recipient: 'politie', transport: 'pull', ciphertext: Buffer.from('armour'), ciphertextDigest: 'f'.repeat(64), policyId: 'politie-preparation', policyVersion: 1, createdAt: at };
  const subjects = Array.from({ length: persons }, (_, i) => ({ bsn: i.toString(16).padStart(64, '0'), nameDob: (i + 1).toString(16).padStart(64, '0'), role: 'other' }));
  return {
    message: { sender: 'vt', messageId: delivery.messageId, type: 'agenda', purpose: 'preparation', caseRef: `VT-${id}`, createdAt: at, receivedAt: at, contentDigest: 'x', refused: [] },
    delivery,
    disclosure: { ...delivery, type: 'agenda', purpose: 'preparation', caseRef: `VT-${id}`, legalBasis: 'Wpg art. 8', manifest: agendaManifest(persons), recordedAt: at, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), subjects, retainUntil: '2031-01-01T00:00:00Z' },
  };
}
