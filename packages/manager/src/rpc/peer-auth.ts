// Authorisation of each RPC on 2377 from the caller's certificate. The TLS layer asks for a client
// certificate but lets the handshake finish without one (joining nodes have none), so every handler
// states what it needs and this module checks the certificate itself: issued by our root, in its
// validity period, for this cluster, with the needed role, for a node that still exists.
import * as grpc from '@grpc/grpc-js';
import { createHash, X509Certificate } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { firstValue } from './credentials.js';

export type PeerRole = 'manager' | 'worker';

export interface PeerIdentity {
  readonly nodeId: string;
  readonly role: PeerRole;
  readonly clusterId: string;
}

export interface AuthPolicy {
  readonly rootCaPem: () => string;
  readonly clusterId: () => string;
  /** False for removed nodes: their still-valid certificates must no longer open any door. */
  readonly nodeExists: (nodeId: string) => boolean;
  readonly now: () => number;
}

export class PeerAuthError extends Error {
  readonly grpcCode: grpc.status;
  constructor(grpcCode: grpc.status, message: string) {
    super(message);
    this.name = 'PeerAuthError';
    this.grpcCode = grpcCode;
  }
}

type AnyCall = { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } | null };

export function authenticate(call: AnyCall, policy: AuthPolicy, need: PeerRole | 'any'): PeerIdentity {
  return streamAuthenticator(call, policy, need)();
}

/**
 * For a long-lived stream: reads the caller's certificate once (grpc-js re-parses it on every
 * getAuthContext, ~0.1 ms) and returns a check that each message re-runs against it, so validity and
 * membership are judged per message as they are per unary call. Throws at once if the stream has none.
 */
export function streamAuthenticator(call: AnyCall, policy: AuthPolicy, need: PeerRole | 'any'): () => PeerIdentity {
  // grpc-js exposes the peer certificate only when TLS verified it against our root, so a missing one
  // means either no certificate or one from another CA.
  const raw = call.getAuthContext()?.sslPeerCertificate?.raw;
  if (!raw || raw.length === 0) {
    throw new PeerAuthError(grpc.status.UNAUTHENTICATED, "a client certificate issued by this cluster's CA is required");
  }
  const check = (): PeerIdentity => {
    const identity = verifyPeerCertificate(raw, policy);
    if (need === 'manager' && identity.role !== 'manager') {
      throw new PeerAuthError(grpc.status.PERMISSION_DENIED, `node ${identity.nodeId} is not a manager: permission denied`);
    }
    return identity;
  };
  check();
  return check;
}

export function verifyPeerCertificate(raw: Buffer, policy: AuthPolicy): PeerIdentity {
  const verified = verifiedChain(raw, policy.rootCaPem());
  const now = policy.now();
  if (now < verified.validFromMs || now > verified.validToMs) {
    throw new PeerAuthError(grpc.status.UNAUTHENTICATED, 'client certificate has expired or is not yet valid');
  }
  const { nodeId, role, clusterId } = verified;
  if (clusterId !== policy.clusterId()) throw new PeerAuthError(grpc.status.UNAUTHENTICATED, 'client certificate is for another cluster');
  if (!policy.nodeExists(nodeId)) {
    throw new PeerAuthError(grpc.status.PERMISSION_DENIED, `node ${nodeId} was removed from the swarm`);
  }
  return { nodeId, role, clusterId };
}

interface VerifiedChain extends PeerIdentity {
  readonly validFromMs: number;
  readonly validToMs: number;
}

/**
 * Parsing and signature checks cost ~0.6 ms of CPU, and every heartbeat and Raft batch is an RPC, so
 * a certificate verified against a root is remembered; validity, cluster and membership are still
 * checked on every call. The cache must hold every node's certificate: heartbeats come round-robin,
 * so a cache smaller than the cluster misses on every call (at 5,000 nodes a cache of 4,096 left the
 * leader too busy verifying heartbeats to keep its Raft term). Least recently used certificates
 * (renewed or removed nodes) are the ones dropped.
 */
const CHAIN_CACHE_ENTRIES_MAX = 65_536;
const chainCache = new LRUCache<string, VerifiedChain>({ max: CHAIN_CACHE_ENTRIES_MAX });
/**
 * The same certificate buffer comes back on every call of a connection (peer-certificate-memo.ts):
 * looked up by identity, a call skips hashing the certificate for the cache above.
 */
const byBuffer = new WeakMap<Buffer, { readonly rootCaPem: string; readonly chain: VerifiedChain }>();

function verifiedChain(raw: Buffer, rootCaPem: string): VerifiedChain {
  const known = byBuffer.get(raw);
  if (known !== undefined && known.rootCaPem === rootCaPem) return known.chain;
  const chain = verifiedChainOf(raw, rootCaPem);
  byBuffer.set(raw, { rootCaPem, chain });
  return chain;
}

function verifiedChainOf(raw: Buffer, rootCaPem: string): VerifiedChain {
  const key = createHash('sha256').update(rootCaPem).update(raw).digest('base64');
  const cached = chainCache.get(key);
  if (cached) return cached;
  let cert: X509Certificate;
  let root: X509Certificate;
  try {
    cert = new X509Certificate(raw);
    root = new X509Certificate(rootCaPem);
  } catch (err) {
    throw new PeerAuthError(grpc.status.UNAUTHENTICATED, `unreadable client certificate: ${(err as Error).message}`);
  }
  if (!cert.checkIssued(root) || !cert.verify(root.publicKey)) {
    throw new PeerAuthError(grpc.status.UNAUTHENTICATED, 'client certificate is not issued by this cluster\'s CA');
  }
  const subject = parseSubject(cert.subject);
  const nodeId = subject.CN;
  const clusterId = subject.O;
  const role = subject.OU === 'swarm-manager' ? 'manager' : subject.OU === 'swarm-worker' ? 'worker' : null;
  if (!nodeId || !clusterId || !role) throw new PeerAuthError(grpc.status.UNAUTHENTICATED, 'client certificate lacks a swarm identity');
  const verified = { nodeId, role, clusterId, validFromMs: Date.parse(cert.validFrom), validToMs: Date.parse(cert.validTo) } as const;
  chainCache.set(key, verified);
  return verified;
}

function parseSubject(subject: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = firstValue(line.slice(eq + 1));
  }
  return out;
}

/** Turns an authorisation failure into the gRPC status the caller sees. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof PeerAuthError) return { code: err.grpcCode, details: err.message };
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}
