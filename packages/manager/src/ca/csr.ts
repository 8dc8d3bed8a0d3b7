import forge from 'node-forge';
import { normalizePem } from './cert-fields.js';
import { forgeKeyPair, generatePrivateKeyPem } from './keys.js';

/** A node's new private key and the CSR that asks the CA to certify it. */
export interface KeyAndCsr {
  readonly keyPem: string;
  readonly csrPem: string;
}

/**
 * A CSR for an existing RSA key. Like swarmkit's, the CSR carries no subject: the CA takes only the
 * public key from it and writes node ID, role and cluster from its own records.
 */
export function createCsr(keyPem: string): string {
  const { privateKey, publicKey } = forgeKeyPair(keyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = publicKey;
  csr.setSubject([]);
  csr.sign(privateKey, forge.md.sha256.create());
  return normalizePem(forge.pki.certificationRequestToPem(csr));
}

/** A fresh key and a CSR for it (joining, renewal and role changes each use a new key, as swarmkit). */
export async function createKeyAndCsr(): Promise<KeyAndCsr> {
  const keyPem = await generatePrivateKeyPem();
  return { keyPem, csrPem: createCsr(keyPem) };
}
