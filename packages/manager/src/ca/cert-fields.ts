// Reads the few X.509 fields the cluster needs straight from the DER structure. node-forge's
// certificate parser only accepts RSA keys, and Docker's own root CAs are ECDSA; reading the ASN.1
// directly works for any key type (the TLSInfo golden test parses a real dockerd root).
import forge from 'node-forge';

const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';
const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';

/** The parts of one certificate, as DER slices and decoded values. */
export interface CertificateFields {
  readonly der: Buffer;
  /** DER of the issuer Name. */
  readonly issuerDer: Buffer;
  /** DER of the SubjectPublicKeyInfo. */
  readonly spkiDer: Buffer;
  /** Subject attributes; undefined when absent (a node certificate has exactly one of each). */
  readonly subject: { readonly commonName?: string; readonly organization?: string; readonly organizationalUnit?: string };
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

/** The DER bytes of the first PEM block labelled `label`; throws when there is none. */
export function pemToDer(pem: string, label = 'CERTIFICATE'): Buffer {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`);
  const match = re.exec(pem);
  if (!match?.[1]) throw new Error(`no ${label} PEM block found`);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/** PEM text with `\n` line endings (forge writes `\r\n`; Docker's TrustRoot uses `\n`). */
export function normalizePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

function toDer(obj: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(obj).getBytes(), 'binary');
}

function children(obj: forge.asn1.Asn1 | undefined, what: string): forge.asn1.Asn1[] {
  if (!obj || !Array.isArray(obj.value)) throw new Error(`malformed certificate: ${what} is not a constructed value`);
  return obj.value;
}

function readTime(obj: forge.asn1.Asn1 | undefined): number {
  if (!obj || typeof obj.value !== 'string') throw new Error('malformed certificate: bad validity time');
  const date =
    obj.type === forge.asn1.Type.UTCTIME ? forge.asn1.utcTimeToDate(obj.value) : forge.asn1.generalizedTimeToDate(obj.value);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new Error('malformed certificate: unreadable validity time');
  return ms;
}

function readName(name: forge.asn1.Asn1 | undefined): CertificateFields['subject'] {
  const fields: { commonName?: string; organization?: string; organizationalUnit?: string } = {};
  for (const rdn of children(name, 'subject')) {
    for (const attribute of children(rdn, 'subject attribute set')) {
      const [oidObj, valueObj] = children(attribute, 'subject attribute');
      if (typeof oidObj?.value !== 'string' || typeof valueObj?.value !== 'string') continue;
      // Attribute values are UTF8String/PrintableString; forge leaves UTF-8 bytes as a binary string.
      const value = forge.util.decodeUtf8(valueObj.value);
      const oid = forge.asn1.derToOid(oidObj.value);
      if (oid === OID_COMMON_NAME) fields.commonName = value;
      else if (oid === OID_ORGANIZATION) fields.organization = value;
      else if (oid === OID_ORGANIZATIONAL_UNIT) fields.organizationalUnit = value;
    }
  }
  return fields;
}

/** Parses a certificate given as PEM text or DER bytes. Throws a plain Error when it is not one. */
export function readCertificate(input: string | Uint8Array): CertificateFields {
  const der = typeof input === 'string' ? pemToDer(input) : Buffer.from(input);
  const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = children(children(cert, 'certificate')[0], 'tbsCertificate');
  // The version field is an optional explicit [0] tag in front of the serial number.
  const first = tbs[0];
  const at = first && first.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && first.type === 0 ? 1 : 0;
  const issuer = tbs[at + 2];
  const validity = children(tbs[at + 3], 'validity');
  const subject = tbs[at + 4];
  const spki = tbs[at + 5];
  if (!issuer || !spki) throw new Error('malformed certificate: missing issuer or public key');
  return {
    der,
    issuerDer: toDer(issuer),
    spkiDer: toDer(spki),
    subject: readName(subject),
    notBeforeMs: readTime(validity[0]),
    notAfterMs: readTime(validity[1]),
  };
}
