import forge from 'node-forge';
import type { Issuer } from './x509.ts';

const { asn1 } = forge;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const CRL_NUMBER = '2.5.29.20';

export interface RevokedEntry {
  /** The certificate's serial number as hex, as node-forge and `openssl x509 -serial` give it. */
  serial: string;
  revokedAt: Date;
}

export interface CrlRequest {
  revoked: RevokedEntry[];
  /** Increases with every CRL the issuer publishes (RFC 5280 §5.2.3). */
  number: number;
  thisUpdate?: Date;
  /** Past this date OpenSSL refuses every certificate of the issuer: publish a new CRL before then. */
  nextUpdate: Date;
}

function integer(hex: string): forge.asn1.Asn1 {
  const even = hex.length % 2 === 1 ? `0${hex}` : hex;
  // DER integers are signed: a leading byte with its high bit set needs a zero byte before it.
  const bytes = forge.util.hexToBytes(parseInt(even.slice(0, 2), 16) >= 0x80 ? `00${even}` : even);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
}

function time(date: Date): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
}

function algorithm(): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
}

function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

/**
 * A version 2 X.509 CRL signed by the issuer, in PEM. node-forge writes certificates but not CRLs, so the
 * structure of RFC 5280 §5.1 is built here from its ASN.1 primitives.
 */
export function issueCrl(issuer: Issuer, request: CrlRequest): string {
  const keyId = issuer.cert.generateSubjectKeyIdentifier().getBytes();
  const revoked = request.revoked.map((r) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [integer(r.serial), time(r.revokedAt)]),
  );
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes('01')),
    algorithm(),
    forge.pki.distinguishedNameToAsn1(issuer.cert.subject),
    time(request.thisUpdate ?? new Date()),
    time(request.nextUpdate),
    ...(revoked.length > 0 ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, revoked)] : []),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        extension(AUTHORITY_KEY_IDENTIFIER, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyId)])),
        extension(CRL_NUMBER, integer(request.number.toString(16))),
      ]),
    ]),
  ]);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const signature = issuer.key.sign(md);
  const crl = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm(),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature),
  ]);
  return forge.pem.encode({ type: 'X509 CRL', body: asn1.toDer(crl).getBytes() });
}

export interface CrlSummary {
  /** As Node's X509Certificate writes a name: `CN=…\nO=…`. */
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** Revoked serial numbers, upper-case hex as Node's X509Certificate gives them. */
  serials: string[];
}

const SHORT_NAMES: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.5': 'serialNumber' };

/** Every PEM block of a CRL file: a bundle may hold one CRL per CA level. */
export function crlBlocks(text: string): string[] {
  return text.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? [];
}

function asDate(node: forge.asn1.Asn1): Date {
  const value = node.value as string;
  return node.type === asn1.Type.UTCTIME ? asn1.utcTimeToDate(value) : asn1.generalizedTimeToDate(value);
}

/** The dates and size of a PEM CRL, so that the hub can report when it must be replaced. */
export function summariseCrl(pem: string): CrlSummary {
  const [block] = forge.pem.decode(pem);
  if (!block || block.type !== 'X509 CRL') throw new TypeError('not a PEM X509 CRL');
  const fields = (asn1.fromDer(block.body).value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  // The version is optional: v1 CRLs start with the signature algorithm.
  const rest = fields[0]!.type === asn1.Type.INTEGER ? fields.slice(1) : fields;
  const name = rest[1]!.value as forge.asn1.Asn1[];
  const attributes = name.flatMap((set) => set.value as forge.asn1.Asn1[]).map((attr) => {
    const [oid, value] = attr.value as forge.asn1.Asn1[];
    const dotted = asn1.derToOid(oid!.value as string);
    return `${SHORT_NAMES[dotted] ?? dotted}=${forge.util.decodeUtf8(value!.value as string)}`;
  });
  const times = rest.slice(2).filter((n) => n.type === asn1.Type.UTCTIME || n.type === asn1.Type.GENERALIZEDTIME);
  const list = rest.find((n, i) => i > 2 && n.tagClass === asn1.Class.UNIVERSAL && n.type === asn1.Type.SEQUENCE);
  const entries = list ? (list.value as forge.asn1.Asn1[]) : [];
  return {
    issuer: attributes.join('\n'),
    thisUpdate: asDate(times[0]!),
    nextUpdate: times[1] ? asDate(times[1]) : undefined,
    serials: entries.map((e) => forge.util.bytesToHex((e.value as forge.asn1.Asn1[])[0]!.value as string).replace(/^(00)+(?=.)/, '').toUpperCase()),
  };
}
