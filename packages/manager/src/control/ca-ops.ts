// Certificates for nodes: issued at join against a join token, renewed on request with the role the
// store currently gives the node (which is how promotion and demotion reach the certificate).
import { InvalidJoinTokenError, issueNodeCertificate, matchJoinToken, type NodeRole, type RootCa } from '../ca/index.js';
import type { ClusterObject } from '../store/objects.js';
import type { NodeAvailability, NodeObject } from '../store/objects.js';
import type { ControlContext } from './context.js';
import { ControlError } from './errors.js';
import { clusterObject } from './swarm-ops.js';

const NANOS_PER_MS = 1_000_000;

export interface JoinRequest {
  readonly csrPem: string;
  readonly token: string;
  readonly availability: NodeAvailability;
  readonly hostname: string;
  readonly addr: string;
}

export interface IssuedCertificate {
  readonly nodeId: string;
  readonly role: 'manager' | 'worker';
  readonly certificatePem: string;
}

export async function joinNode(ctx: ControlContext, req: JoinRequest): Promise<IssuedCertificate> {
  const cluster = clusterObject(ctx);
  const role = tokenRole(cluster, req.token);
  if (!role) {
    throw new ControlError('invalid-argument', 'rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster');
  }
  const nodeId = ctx.newId();
  const certificatePem = sign(ctx, req.csrPem, nodeId, role);
  const node: Omit<NodeObject, 'Version' | 'UpdatedAt' | 'CreatedAt'> = {
    ID: nodeId,
    Spec: { Labels: {}, Role: role, Availability: req.availability },
    Description: { Hostname: req.hostname },
    Status: { State: 'unknown', Addr: req.addr },
  };
  await ctx.commit([{ op: 'create', table: 'node', object: node }]);
  return { nodeId, role, certificatePem };
}

/** The role a token admits; a malformed token admits none, like any other wrong token (swarmkit). */
function tokenRole(cluster: ClusterObject, token: string): NodeRole | null {
  try {
    return matchJoinToken(token, { worker: cluster.JoinTokens.Worker, manager: cluster.JoinTokens.Manager });
  } catch (err) {
    if (err instanceof InvalidJoinTokenError) return null;
    throw err;
  }
}

/** Renewal for an authenticated node: the new certificate carries the role the store holds now. */
export function renewCertificate(ctx: ControlContext, req: { nodeId: string; csrPem: string }): IssuedCertificate {
  const node = ctx.view.get('node', req.nodeId);
  if (!node) throw new ControlError('permission-denied', `node ${req.nodeId} was removed from the swarm`);
  return { nodeId: node.ID, role: node.Spec.Role, certificatePem: sign(ctx, req.csrPem, node.ID, node.Spec.Role) };
}

function sign(ctx: ControlContext, csrPem: string, nodeId: string, role: 'manager' | 'worker'): string {
  const cluster = clusterObject(ctx);
  const ca: RootCa = { certPem: cluster.RootCA.CertPem, keyPem: cluster.RootCA.KeyPem };
  try {
    return issueNodeCertificate({ ca, csrPem, nodeId, role, clusterId: cluster.ID, expiryMs: cluster.Spec.CAConfig.NodeCertExpiry / NANOS_PER_MS });
  } catch (err) {
    throw new ControlError('invalid-argument', `invalid certificate request: ${(err as Error).message}`, { cause: err });
  }
}
