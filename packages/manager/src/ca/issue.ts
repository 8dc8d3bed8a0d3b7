import { strict as assert } from 'node:assert';
import { constants, createPrivateKey, privateEncrypt, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { isId } from '../ids/random-id.js';
import { normalizePem } from './cert-fields.js';
import { InvalidCsrError, InvalidRootCaError } from './errors.js';
import { CA_DNS_NAME, ROLE_OU, type NodeRole } from './identity.js';
import { RSA_KEY_BITS, randomSerialHex } from './keys.js';
import type { RootCa } from './root-ca.js';

/** swarmkit's DefaultNodeCertExpiration: 90 days. */
export const DEFAULT_NODE_CERT_EXPIRY_MS = 90 * 24 * 3_600_000;
/** swarmkit's MinNodeCertExpiration (`--cert-expiry` below this is refused): 1 hour. */
export const MIN_NODE_CERT_EXPIRY_MS = 3_600_000;
/** swarmkit's CertBackdate: node certificates start this long before issuance, for clock skew. */
export const NODE_CERT_BACKDATE_MS = 3_600_000;

export interface IssueNodeCertificateRequest {
  readonly ca: RootCa;
  /** The node's CSR; only its public key is used. */
  readonly csrPem: string;
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clusterId: string;
  /** How long from now the certificate stays valid; at least MIN_NODE_CERT_EXPIRY_MS. */
  readonly expiryMs: number;
  /** Current time; default Date.now(). */
  readonly nowMs?: number;
}

function readCsr(csrPem: string): forge.pki.rsa.PublicKey {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem);
  } catch (cause) {
    throw new InvalidCsrError('does not parse as an RSA certificate request', { cause });
  }
  let signatureOk = false;
  try {
    signatureOk = csr.verify();
  } catch (cause) {
    // forge throws rather than returning false when a damaged signature fails to decode.
    throw new InvalidCsrError('signature does not match its public key', { cause });
  }
  if (!signatureOk) throw new InvalidCsrError('signature does not match its public key');
  const publicKey = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (!publicKey || publicKey.n.bitLength() < RSA_KEY_BITS) throw new InvalidCsrError(`key shorter than ${RSA_KEY_BITS} bits`);
  return publicKey;
}

/** A forge signer whose RSA operation is Node's native one. */
interface NativeSigner {
  sign(md: forge.md.MessageDigest): string;
}

/** DER DigestInfo header of a SHA-256 digest (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * RSASSA-PKCS1-v1_5 over forge's SHA-256 digest with Node's crypto. forge's own RSA is pure JavaScript:
 * ~50–300 ms per signature on the event loop, which under a burst of joins (bench/scale) starved the
 * Raft ticks and cost the leader its leadership; the native operation takes ~1–2 ms.
 */
function nativeSigner(key: KeyObject): NativeSigner {
  return {
    sign: (md) => {
      assert.equal(md.algorithm, 'sha256', 'node certificates are signed with SHA-256');
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])).toString('binary');
    },
  };
}

interface ReadCa {
  readonly cert: forge.pki.Certificate;
  readonly signer: NativeSigner;
  readonly keyIdentifier: string;
}

/**
 * The CA last read. Every join signs with the same one, and parsing its key and certificate anew was
 * ~1 ms of the leader's ~3.7 ms per join (bench/scale, 1,000 joins). Only read from once made.
 */
let lastCa: { readonly certPem: string; readonly keyPem: string; readonly read: ReadCa } | undefined;

function readCa(ca: RootCa): ReadCa {
  if (lastCa?.certPem === ca.certPem && lastCa.keyPem === ca.keyPem) return lastCa.read;
  try {
    const key = createPrivateKey(ca.keyPem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`the CA key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not RSA`);
    const cert = forge.pki.certificateFromPem(ca.certPem);
    const read = { cert, signer: nativeSigner(key), keyIdentifier: cert.generateSubjectKeyIdentifier().getBytes() };
    lastCa = { certPem: ca.certPem, keyPem: ca.keyPem, read };
    return read;
  } catch (cause) {
    throw new InvalidRootCaError('cannot sign with it', { cause });
  }
}

/**
 * Signs a node certificate: CN = node ID, OU = swarm-manager|swarm-worker, O = cluster ID, usable as
 * TLS server and client, with DNS names [OU, node ID] plus swarm-ca for managers (as swarmkit's
 * PrepareCSR). Everything but the public key comes from the arguments, never from the CSR.
 */
export function issueNodeCertificate(request: IssueNodeCertificateRequest): string {
  const { nodeId, role, clusterId, expiryMs } = request;
  assert(isId(nodeId), `node ID ${JSON.stringify(nodeId)} is not an ID`);
  assert(isId(clusterId), `cluster ID ${JSON.stringify(clusterId)} is not an ID`);
  assert(Number.isInteger(expiryMs) && expiryMs >= MIN_NODE_CERT_EXPIRY_MS, `certificate expiry ${expiryMs} ms below the minimum`);
  const publicKey = readCsr(request.csrPem);
  const ca = readCa(request.ca);
  const nowMs = request.nowMs ?? Date.now();

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(nowMs - NODE_CERT_BACKDATE_MS);
  cert.validity.notAfter = new Date(nowMs + expiryMs);
  const ou = ROLE_OU[role];
  cert.setSubject([
    { name: 'organizationName', value: clusterId },
    { name: 'organizationalUnitName', value: ou },
    { name: 'commonName', value: nodeId },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  const dnsNames = role === 'manager' ? [ou, nodeId, CA_DNS_NAME] : [ou, nodeId];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.keyIdentifier },
  ]);
  // forge only reads `sign` off the key it is given.
  cert.sign(ca.signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return normalizePem(forge.pki.certificateToPem(cert));
}
