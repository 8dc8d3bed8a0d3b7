import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { normalizePem, readCertificate } from './cert-fields.js';
import { InvalidRootCaError } from './errors.js';
import { forgeKeyPair, generatePrivateKeyPem, publicKeySpkiOfPrivateKey, randomSerialHex } from './keys.js';

/** CN of the cluster's root CA, as in swarmkit. */
export const ROOT_CA_COMMON_NAME = 'swarm-ca';
/** swarmkit's RootCAExpiration: 630720000 s (20 years of 365 days). */
export const ROOT_CA_VALIDITY_MS = 630_720_000_000;
/** The root is backdated so that peers whose clocks lag a little still accept it. */
export const ROOT_CA_BACKDATE_MS = 5 * 60_000;

/**
 * The cluster's signing CA. `certPem` is the TrustRoot: the exact string whose SHA-256 is the join
 * token digest, so it must travel and be stored byte for byte.
 */
export interface RootCa {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CreateRootCaOptions {
  /** Current time; default Date.now(). */
  readonly nowMs?: number;
  /** An existing RSA private key (PEM) to build the root on; default a new one. */
  readonly keyPem?: string;
}

/** A new self-signed root CA: CN=swarm-ca, CA:TRUE, keyCertSign+cRLSign, 20 years, backdated 5 min. */
export async function createRootCa(options: CreateRootCaOptions = {}): Promise<RootCa> {
  const nowMs = options.nowMs ?? Date.now();
  const keyPem = options.keyPem ?? (await generatePrivateKeyPem());
  let keys;
  try {
    keys = forgeKeyPair(keyPem);
  } catch (cause) {
    throw new InvalidRootCaError('key is not an RSA private key', { cause });
  }
  const { privateKey, publicKey } = keys;
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialHex();
  const notBeforeMs = nowMs - ROOT_CA_BACKDATE_MS;
  cert.validity.notBefore = new Date(notBeforeMs);
  cert.validity.notAfter = new Date(notBeforeMs + ROOT_CA_VALIDITY_MS);
  const name = [{ name: 'commonName', value: ROOT_CA_COMMON_NAME }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: normalizePem(forge.pki.certificateToPem(cert)), keyPem };
}

/**
 * Checks that a stored certificate and key form a usable signing CA (the certificate is a CA, is
 * self-signed, and belongs to the key) and returns them unchanged.
 */
export function loadRootCa(certPem: string, keyPem: string): RootCa {
  let x509: X509Certificate;
  let keySpki: Buffer;
  try {
    x509 = new X509Certificate(certPem);
    keySpki = publicKeySpkiOfPrivateKey(keyPem);
  } catch (cause) {
    throw new InvalidRootCaError('certificate or key does not parse', { cause });
  }
  if (!x509.ca) throw new InvalidRootCaError('certificate is not a CA certificate');
  if (!x509.verify(x509.publicKey)) throw new InvalidRootCaError('certificate is not self-signed');
  if (!readCertificate(certPem).spkiDer.equals(keySpki)) throw new InvalidRootCaError('key does not belong to the certificate');
  return { certPem, keyPem };
}
