import { readCertificate } from './cert-fields.js';

/** The Engine API's TLSInfo (Swarm.TLSInfo, Node.Description.TLSInfo), field for field as dockerd. */
export interface TlsInfo {
  /** The root CA certificate PEM, verbatim. */
  readonly TrustRoot: string;
  /** base64 of the DER issuer Name of the root. */
  readonly CertIssuerSubject: string;
  /** base64 of the DER SubjectPublicKeyInfo of the root. */
  readonly CertIssuerPublicKey: string;
}

export function tlsInfo(caPem: string): TlsInfo {
  const { issuerDer, spkiDer } = readCertificate(caPem);
  return {
    TrustRoot: caPem,
    CertIssuerSubject: issuerDer.toString('base64'),
    CertIssuerPublicKey: spkiDer.toString('base64'),
  };
}
