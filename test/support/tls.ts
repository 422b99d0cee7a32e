import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { issuerFromPem, issueLeaf, type IssuedLeaf, type Issuer, type LeafRequest } from '../../src/pki/x509.ts';
import { CERTS } from './hub.ts';

/** The development CA of certs/, to issue test certificates the hub trusts. */
export function devCa(): Issuer {
  return issuerFromPem(readFileSync(join(CERTS, 'ca.crt'), 'utf8'), readFileSync(join(CERTS, 'ca.key'), 'utf8'));
}

export const POLITIE_SUBJECT = { CN: 'politie', O: 'Politie', serialNumber: '00000099000000000002' };

export function clientLeaf(issuer: Issuer, subject: Record<string, string> = POLITIE_SUBJECT, extra: Partial<LeafRequest> = {}): IssuedLeaf {
  return issueLeaf(issuer, { subject, usage: 'client', ...extra });
}

export function fingerprint(leaf: IssuedLeaf): string {
  return new X509Certificate(leaf.certPem).fingerprint256;
}

export interface TlsAnswer {
  status: number;
  body: string;
  protocol: string | null;
  cipher: string;
  /** The serial number of the certificate the server presented. */
  serverSerial: string;
}

export interface TlsClientOptions {
  cert?: string;
  key?: string;
  /** Extra TLS options of the client: versions, ciphers, a keep-alive agent. */
  tls?: Record<string, unknown>;
  agent?: Agent;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One HTTPS request with a client certificate of the test's choosing; rejects when TLS refuses it. */
export function tlsRequest(url: string, path: string, options: TlsClientOptions = {}): Promise<TlsAnswer> {
  const ca = readFileSync(join(CERTS, 'ca.crt'), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        ...(options.agent ? { agent: options.agent } : { agent: false }),
        ...options.tls,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol: socket.getProtocol(), cipher: socket.getCipher().name, serverSerial: socket.getPeerCertificate().serialNumber }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A keep-alive agent holding one connection per client certificate, as partner systems use. */
export function keepAliveAgent(leaf: IssuedLeaf): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(join(CERTS, 'ca.crt'), 'utf8'), cert: leaf.certPem, key: leaf.keyPem });
}

/** The reasons the hub logged for refused handshakes. */
export function refusedHandshakes(logLines: string[]): string[] {
  return logLines.map((l) => JSON.parse(l) as { msg: string; reason?: string }).filter((l) => l.msg === 'tls handshake refused').map((l) => String(l.reason));
}
