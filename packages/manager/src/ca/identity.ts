import { isId } from '../ids/random-id.js';
import { readCertificate } from './cert-fields.js';
import { InvalidPeerCertificateError } from './errors.js';

export type NodeRole = 'manager' | 'worker';

/** The OU that carries each role in a node certificate (swarmkit's ManagerRole / WorkerRole). */
export const ROLE_OU: { readonly [R in NodeRole]: string } = { manager: 'swarm-manager', worker: 'swarm-worker' };
/** The DNS name every manager certificate also carries, for clients asking for certificates. */
export const CA_DNS_NAME = 'swarm-ca';

export function roleFromOu(ou: string | undefined): NodeRole | null {
  if (ou === ROLE_OU.manager) return 'manager';
  if (ou === ROLE_OU.worker) return 'worker';
  return null;
}

/** Who a node certificate says its holder is: CN = node ID, OU = role, O = cluster ID. */
export interface PeerIdentity {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clusterId: string;
}

/**
 * Reads the identity out of a node certificate (PEM or DER). It does not check who signed it: use
 * verifyPeerCertificate for a certificate that came from the network.
 */
export function parsePeerIdentity(cert: string | Uint8Array): PeerIdentity {
  let subject;
  try {
    ({ subject } = readCertificate(cert));
  } catch (cause) {
    throw new InvalidPeerCertificateError('does not parse', { cause });
  }
  const role = roleFromOu(subject.organizationalUnit);
  if (role === null) throw new InvalidPeerCertificateError(`OU ${JSON.stringify(subject.organizationalUnit ?? '')} names no role`);
  const nodeId = subject.commonName ?? '';
  if (!isId(nodeId)) throw new InvalidPeerCertificateError(`CN ${JSON.stringify(nodeId)} is not a node ID`);
  const clusterId = subject.organization ?? '';
  if (!isId(clusterId)) throw new InvalidPeerCertificateError(`O ${JSON.stringify(clusterId)} is not a cluster ID`);
  return { nodeId, role, clusterId };
}

/** The validity window of a certificate, in ms since the epoch. */
export function certificateValidity(certPem: string): { readonly notBeforeMs: number; readonly notAfterMs: number } {
  const { notBeforeMs, notAfterMs } = readCertificate(certPem);
  return { notBeforeMs, notAfterMs };
}

/** When a certificate stops being valid (its NotAfter), in ms since the epoch. */
export function certificateExpiry(certPem: string): number {
  return readCertificate(certPem).notAfterMs;
}
