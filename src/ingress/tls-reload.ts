import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { RequestHandler } from 'express';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { HubConfig } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import type { Logger } from '../observability/logger.ts';
import { crlBlocks, summariseCrl } from '../pki/crl.ts';
import { peerChain } from '../pki/chain.ts';
import { secureOptions, type ServerTls } from './server.ts';

export interface CrlStatus {
  file: string;
  issuer: string;
  nextUpdate: string | null;
  revoked: number;
  /** Past nextUpdate OpenSSL refuses every certificate of this issuer: publish a fresh CRL. */
  expired: boolean;
}

export interface TlsStatus {
  loadedAt: string;
  crls: CrlStatus[];
}

function revocationKey(issuer: string, serial: string): string {
  return `${issuer}|${serial.toUpperCase()}`;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TypeError(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads the files of hub.tls; a file that is missing or holds no CRL is named in the error. */
export function readServerTls(tls: HubConfig['hub']['tls'], now: Date): { material: ServerTls; status: TlsStatus; revoked: Set<string> } {
  const crls: CrlStatus[] = [];
  const crl: string[] = [];
  const revoked = new Set<string>();
  for (const file of tls.crl) {
    const blocks = crlBlocks(read(file));
    if (blocks.length === 0) throw new TypeError(`${file}: no PEM X509 CRL in the file`);
    for (const block of blocks) {
      let summary;
      try {
        summary = summariseCrl(block);
      } catch (err) {
        throw new TypeError(`${file}: ${(err as Error).message}`);
      }
      crl.push(block);
      for (const serial of summary.serials) revoked.add(revocationKey(summary.issuer, serial));
      const nextUpdate = summary.nextUpdate ?? null;
      crls.push({ file, issuer: summary.issuer, nextUpdate: nextUpdate?.toISOString() ?? null, revoked: summary.serials.length, expired: nextUpdate !== null && nextUpdate <= now });
    }
  }
  return {
    material: { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key), crl },
    status: { loadedAt: now.toISOString(), crls },
    revoked,
  };
}

/**
 * Replaces the partner port's certificates, CA and CRLs without a restart (on SIGHUP or through the
 * admin API). The new files are first turned into a secure context of their own: if that fails, the
 * previous context stays in force and the error is reported.
 */
export class TlsReloader {
  private server: Server | undefined;
  private readonly tls: HubConfig['hub']['tls'];
  private readonly log: Logger;
  private readonly now: () => Date;
  status: TlsStatus;
  readonly initial: ServerTls;
  private revoked: Set<string>;

  constructor(tls: HubConfig['hub']['tls'], log: Logger, now: () => Date = () => new Date()) {
    this.tls = tls;
    this.log = log;
    this.now = now;
    const { material, status, revoked } = readServerTls(tls, now());
    this.initial = material;
    this.status = status;
    this.revoked = revoked;
    this.warnExpired();
  }

  attach(server: Server): void {
    this.server = server;
  }

  /**
   * A keep-alive connection keeps its handshake: each of its requests is checked against the current
   * CRLs (the certificate and every CA above it) and the certificate's end date too, before anything
   * else runs, and the connection of a certificate revoked or expired since is cut without an answer.
   */
  readonly guard: RequestHandler = (req, _res, next) => {
    const chain = peerChain(req.socket as TLSSocket);
    const [peer] = chain;
    const revoked = chain.find((cert) => this.revokes(cert));
    const why = !peer ? undefined : revoked ? 'revoked' : new Date(peer.validTo) <= this.now() ? 'expired' : undefined;
    if (peer && why) {
      this.log.info({ serial: (revoked ?? peer).serialNumber, why }, `request on a connection of a certificate ${why} since its handshake: connection closed`);
      req.socket.destroy();
      return;
    }
    next();
  };

  /** Whether the CRLs in force revoke this certificate; also asked by the push client about partners' servers. */
  revokes(cert: Pick<X509Certificate, 'issuer' | 'serialNumber'>): boolean {
    return this.revoked.has(revocationKey(cert.issuer, cert.serialNumber));
  }

  /**
   * The CRL in force for this certificate's issuer, if it is past its nextUpdate: whether the certificate
   * is revoked is then unknown. Asked by the push client, which refuses as OpenSSL does at the handshake.
   */
  staleCrlFor(cert: Pick<X509Certificate, 'issuer'>): CrlStatus | undefined {
    return this.expiredCrls().find((c) => c.issuer === cert.issuer);
  }

  /** CRLs past their nextUpdate now, not only at their loading: OpenSSL refuses every certificate of their issuers. */
  expiredCrls(): CrlStatus[] {
    const now = this.now();
    return this.status.crls.filter((c) => c.nextUpdate !== null && new Date(c.nextUpdate) <= now);
  }

  reload(): TlsStatus {
    let loaded;
    try {
      loaded = readServerTls(this.tls, this.now());
      // Throws on a key that does not match its certificate, or a PEM OpenSSL cannot parse.
      createSecureContext(secureOptions(loaded.material));
    } catch (err) {
      const detail = `TLS files not reloaded, the previous ones stay in force: ${(err as Error).message}`;
      this.log.error({ err: (err as Error).message }, 'tls reload failed');
      throw new HubProblem(Problems.tlsReloadFailed, detail);
    }
    this.server?.setSecureContext(secureOptions(loaded.material));
    this.status = loaded.status;
    this.revoked = loaded.revoked;
    this.log.info({ crls: this.status.crls.map((c) => ({ issuer: c.issuer, nextUpdate: c.nextUpdate, revoked: c.revoked })) }, 'tls reloaded');
    this.warnExpired();
    return this.status;
  }

  private warnExpired(): void {
    for (const crl of this.status.crls.filter((c) => c.expired)) {
      this.log.warn({ file: crl.file, issuer: crl.issuer, nextUpdate: crl.nextUpdate }, 'CRL past its nextUpdate: every certificate of this issuer is refused until a fresh CRL is loaded');
    }
  }
}
