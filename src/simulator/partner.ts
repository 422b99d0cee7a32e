import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import * as openpgp from 'openpgp';
import { loadClientTls, MutualTlsClient, type HttpAnswer } from './client.ts';

export type { HttpAnswer };

export interface PartnerCredentials {
  id: string;
  ca: string;
  cert: string;
  key: string;
  serverCert: string;
  serverKey: string;
  pgpPrivateKey: openpgp.PrivateKey;
  /** The hub's key as the partner registered it at onboarding; GET /v1/hub-key is the fallback. */
  hubPgpPublicKey?: openpgp.PublicKey;
}


/**
 * How the partner's push endpoint behaves, to rehearse its outages: `accept` (201, or 200 for a repeat
 * of an Idempotency-Key already seen), `fail` (500 without reading the delivery) or `stall` (keeps the
 * delivery but never answers, as a system whose answer gets lost).
 */
export type PushMode = 'accept' | 'fail' | 'stall';

/** A delivery as the partner's own system sees it: decrypted with its key, signature by the hub verified. */
export interface ReceivedDelivery {
  deliveryId: string;
  via: 'pull' | 'push';
  plaintext: Record<string, unknown> & { payload: Record<string, unknown> };
}

export async function loadPartnerCredentials(certsDir: string, id: string): Promise<PartnerCredentials> {
  const dir = join(certsDir, 'partners', id);
  return {
    id,
    ...loadClientTls(certsDir, join('partners', id)),
    serverCert: readFileSync(join(dir, 'server.crt'), 'utf8'),
    serverKey: readFileSync(join(dir, 'server.key'), 'utf8'),
    pgpPrivateKey: await openpgp.readPrivateKey({ armoredKey: readFileSync(join(dir, 'pgp-private.asc'), 'utf8') }),
    hubPgpPublicKey: await readOptionalKey(join(certsDir, 'hub', 'pgp-public.asc')),
  };
}

async function readOptionalKey(file: string): Promise<openpgp.PublicKey | undefined> {
  if (!existsSync(file)) return undefined;
  return openpgp.readKey({ armoredKey: readFileSync(file, 'utf8') });
}

/**
 * A stand-in for a partner's own system: it talks to the hub over mutual TLS with its own certificate,
 * signs and encrypts what it sends, decrypts and verifies what it receives, and can run an HTTPS
 * server that accepts pushes only from the hub's client certificate.
 */
export class SimulatedPartner {
  readonly id: string;
  readonly received = new Map<string, ReceivedDelivery>();
  /** Push requests that arrived, counted before deduplication on Idempotency-Key. */
  pushRequests = 0;
  pushMode: PushMode = 'accept';
  private readonly creds: PartnerCredentials;
  private readonly client: MutualTlsClient;
  private hubKey: openpgp.PublicKey | undefined;
  private server: Server | undefined;

  constructor(creds: PartnerCredentials, hubUrl: string) {
    this.id = creds.id;
    this.creds = creds;
    this.client = new MutualTlsClient(creds, hubUrl);
    this.hubKey = creds.hubPgpPublicKey;
  }

  request(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.client.request(method, path, body, headers);
  }

  async hubPublicKey(): Promise<openpgp.PublicKey> {
    if (!this.hubKey) {
      const answer = await this.request('GET', '/v1/hub-key');
      if (answer.status !== 200) throw new Error(`hub key: HTTP ${answer.status}`);
      this.hubKey = await openpgp.readKey({ armoredKey: answer.body });
    }
    return this.hubKey;
  }

  /** Encrypts to the hub and signs with this partner's key, as API.md prescribes. */
  async seal(envelope: unknown): Promise<string> {
    return this.sealText(JSON.stringify(envelope));
  }

  async sealText(text: string): Promise<string> {
    return openpgp.encrypt({
      message: await openpgp.createMessage({ text }),
      encryptionKeys: await this.hubPublicKey(),
      signingKeys: this.creds.pgpPrivateKey,
      config: { aeadProtect: false },
    });
  }

  async submit(envelope: unknown): Promise<HttpAnswer> {
    return this.request('POST', '/v1/messages', await this.seal(envelope), { 'content-type': 'application/pgp-encrypted' });
  }

  async open(armored: string): Promise<ReceivedDelivery['plaintext']> {
    const { data } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: this.creds.pgpPrivateKey,
      verificationKeys: await this.hubPublicKey(),
      expectSigned: true,
    });
    return JSON.parse(data as string);
  }

  /** Lists the inbox, fetches, decrypts and verifies each delivery, and acknowledges it. */
  async pullAll(): Promise<ReceivedDelivery[]> {
    const fetched: ReceivedDelivery[] = [];
    let after = '0';
    for (;;) {
      const list = await this.request('GET', `/v1/inbox?limit=50&after=${after}`);
      if (list.status !== 200) throw new Error(`inbox: HTTP ${list.status} ${list.body}`);
      const page = JSON.parse(list.body) as { deliveries: { deliveryId: string }[]; cursor: string | null };
      for (const { deliveryId } of page.deliveries) {
        const body = await this.request('GET', `/v1/inbox/${deliveryId}`);
        if (body.status !== 200) throw new Error(`fetch ${deliveryId}: HTTP ${body.status}`);
        const delivery: ReceivedDelivery = { deliveryId, via: 'pull', plaintext: await this.open(body.body) };
        const ack = await this.request('POST', `/v1/inbox/${deliveryId}/ack`);
        if (ack.status !== 204) throw new Error(`ack ${deliveryId}: HTTP ${ack.status}`);
        this.received.set(deliveryId, delivery);
        fetched.push(delivery);
      }
      if (!page.cursor) return fetched;
      after = page.cursor;
    }
  }

  /** Starts the partner's push endpoint; only a client certificate with the given subject CN (the hub's) may post. */
  async startPushServer(hubClientCommonName: string, port = 0): Promise<string> {
    this.server = createServer({ ca: this.creds.ca, cert: this.creds.serverCert, key: this.creds.serverKey, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate();
      if (!peer || !peer.subject.split('\n').includes(`CN=${hubClientCommonName}`)) {
        res.writeHead(403).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.pushRequests++;
        if (this.pushMode === 'fail') {
          res.writeHead(500).end();
          return;
        }
        this.acceptPush(String(req.headers['idempotency-key'] ?? randomUUID()), Buffer.concat(chunks).toString('utf8')).then(
          (status) => {
            if (this.pushMode !== 'stall') res.writeHead(status).end();
          },
          () => res.writeHead(400).end(),
        );
      });
    });
    const server = this.server;
    // A port already taken fails the start, instead of an uncaught error after it.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return `https://localhost:${(this.server.address() as AddressInfo).port}/deliveries`;
  }

  /** Stores a pushed delivery once per Idempotency-Key, as a real partner should; answers 201 or 200. */
  private async acceptPush(key: string, armored: string): Promise<number> {
    if (this.received.has(key)) return 200;
    const plaintext = await this.open(armored);
    if (this.received.has(key)) return 200;
    this.received.set(key, { deliveryId: key, via: 'push', plaintext });
    return 201;
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }
  }
}
