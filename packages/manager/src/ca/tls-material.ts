// Glue between the node identity and TLS: the buffers @grpc/grpc-js wants, and a check of a peer's
// certificate for servers that accept callers without a certificate (NodeCA's join RPCs) and so
// cannot let the TLS layer reject unverified peers.
import type { PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { NodeTlsIdentity } from './cert-store.js';
import { readCertificate } from './cert-fields.js';
import { InvalidPeerCertificateError } from './errors.js';
import { ROLE_OU, parsePeerIdentity, type PeerIdentity } from './identity.js';

/**
 * The TLS server name a client asks for when it dials a manager: every manager certificate carries
 * it as a DNS name, so clients check "is a manager of this CA" rather than an address.
 * grpc-js: channel option `grpc.ssl_target_name_override`.
 */
export const MANAGER_SERVER_NAME = ROLE_OU.manager;

/** Arguments for grpc-js `credentials.createSsl(root, key, chain)` / `ServerCredentials.createSsl(root, [{private_key, cert_chain}])`. */
export interface GrpcTlsMaterial {
  readonly rootCertsPem: Buffer;
  readonly privateKeyPem: Buffer;
  readonly certChainPem: Buffer;
}

export function grpcTlsMaterial(identity: NodeTlsIdentity): GrpcTlsMaterial {
  return {
    rootCertsPem: Buffer.from(identity.rootCaPem, 'utf8'),
    privateKeyPem: Buffer.from(identity.keyPem, 'utf8'),
    certChainPem: Buffer.from(identity.certPem, 'utf8'),
  };
}

const EKU_OID = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;

export interface VerifyPeerOptions {
  /** Current time; default Date.now(). */
  readonly nowMs?: number;
  /** When set, a certificate of another cluster is refused. */
  readonly clusterId?: string;
  /** The extended key usage the peer's role in this connection needs; default 'clientAuth'. */
  readonly usage?: keyof typeof EKU_OID;
}

/** A peer certificate as PEM, DER, or what `tlsSocket.getPeerCertificate()` returns. */
export type PeerCertificateInput = string | Uint8Array | Pick<PeerCertificate, 'raw'>;

function toX509(input: PeerCertificateInput): X509Certificate {
  const data = typeof input === 'string' || input instanceof Uint8Array ? input : input.raw;
  try {
    return new X509Certificate(data);
  } catch (cause) {
    throw new InvalidPeerCertificateError('does not parse', { cause });
  }
}

/**
 * Checks that a peer's certificate was issued by `rootCaPem`, is inside its validity window, allows
 * the usage, and (optionally) belongs to `clusterId`; returns who it names. Throws
 * InvalidPeerCertificateError otherwise.
 */
export function verifyPeerCertificate(peer: PeerCertificateInput, rootCaPem: string, options: VerifyPeerOptions = {}): PeerIdentity {
  const leaf = toX509(peer);
  const root = new X509Certificate(rootCaPem);
  if (!leaf.checkIssued(root) || !leaf.verify(root.publicKey)) {
    throw new InvalidPeerCertificateError('not issued by this cluster\'s root CA');
  }
  const { notBeforeMs, notAfterMs } = readCertificate(leaf.raw);
  const nowMs = options.nowMs ?? Date.now();
  if (nowMs < notBeforeMs || nowMs > notAfterMs) throw new InvalidPeerCertificateError('outside its validity period');
  const usage = options.usage ?? 'clientAuth';
  if (!(leaf.keyUsage ?? []).includes(EKU_OID[usage])) throw new InvalidPeerCertificateError(`not valid for ${usage}`);
  const identity = parsePeerIdentity(leaf.raw);
  if (options.clusterId !== undefined && identity.clusterId !== options.clusterId) {
    throw new InvalidPeerCertificateError(`belongs to cluster ${identity.clusterId}`);
  }
  return identity;
}

/**
 * A `checkServerIdentity` for TLS/grpc-js clients dialling a manager: the chain is already checked
 * against the root by TLS; this makes sure the server is a manager (not a worker of the same CA).
 */
export function checkManagerServerIdentity(_hostname: string, cert: PeerCertificate): Error | undefined {
  try {
    const { role } = parsePeerIdentity(cert.raw);
    return role === 'manager' ? undefined : new InvalidPeerCertificateError('server is not a manager');
  } catch (error) {
    return error instanceof Error ? error : new InvalidPeerCertificateError(String(error));
  }
}
