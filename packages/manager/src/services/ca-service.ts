// NodeCA on 2377: the root certificate for anyone (a joiner pins it against its token's digest),
// certificates for joiners presenting a valid token, renewals for authenticated nodes.
import type { NodeCAServer } from '@shoal/proto';
import { NodeAvailability, NodeRole } from '@shoal/proto';
import type { IssuedCertificate } from '../control/ca-ops.js';
import { ControlError } from '../control/errors.js';
import type { NodeAvailability as Availability } from '../store/objects.js';
import { authenticate, type AuthPolicy } from '../rpc/peer-auth.js';
import { unary } from './handle.js';
import type { ManagerHandle } from './index.js';

const AVAILABILITY: Record<number, Availability> = {
  [NodeAvailability.UNSPECIFIED]: 'active',
  [NodeAvailability.ACTIVE]: 'active',
  [NodeAvailability.PAUSE]: 'pause',
  [NodeAvailability.DRAIN]: 'drain',
};

export function caService(manager: ManagerHandle, policy: AuthPolicy): NodeCAServer {
  return {
    getRootCaCertificate: unary(() => ({ certificatePem: policy.rootCaPem() })),
    issueNodeCertificate: unary(async (call) => {
      const r = call.request;
      const availability = AVAILABILITY[r.availability];
      if (!availability) throw new ControlError('invalid-argument', `invalid availability ${r.availability}`);
      const issued = (await manager.call('joinNode', {
        csrPem: r.csrPem,
        token: r.token,
        availability,
        hostname: r.hostname,
        addr: r.addr,
      })) as IssuedCertificate;
      return {
        nodeId: issued.nodeId,
        role: issued.role === 'manager' ? NodeRole.MANAGER : NodeRole.WORKER,
        certificatePem: issued.certificatePem,
        clusterId: policy.clusterId(),
      };
    }),
    renewNodeCertificate: unary(async (call) => {
      const peer = authenticate(call, policy, 'any');
      const issued = (await manager.call('renewCertificate', { nodeId: peer.nodeId, csrPem: call.request.csrPem })) as IssuedCertificate;
      return { certificatePem: issued.certificatePem };
    }),
  };
}
