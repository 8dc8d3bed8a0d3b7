// Raft on 2377: message batches between managers, and membership requests from managers joining
// or leaving. Only manager certificates get in.
import type { RaftServer } from '@shoal/proto';
import { fromWire } from '../raft/codec.js';
import { authenticate, PeerAuthError, type AuthPolicy } from '../rpc/peer-auth.js';
import * as grpc from '@grpc/grpc-js';
import { unary } from './handle.js';
import type { ManagerHandle } from './index.js';
import type { ManagerSeat } from '../control/membership-ops.js';

export function raftService(manager: ManagerHandle, policy: AuthPolicy): RaftServer {
  return {
    sendMessages: unary((call) => {
      const peer = authenticate(call, policy, 'manager');
      for (const wire of call.request.messages) {
        if (wire.from !== peer.nodeId) throw new PeerAuthError(grpc.status.PERMISSION_DENIED, `node ${peer.nodeId} cannot send as ${wire.from}`);
        manager.receive(fromWire(wire));
      }
      return {};
    }),
    join: unary(async (call) => {
      const peer = authenticate(call, policy, 'manager');
      if (call.request.nodeId !== peer.nodeId) throw new PeerAuthError(grpc.status.PERMISSION_DENIED, 'a manager can only join as itself');
      const seats = (await manager.call('addManager', { nodeId: peer.nodeId, addr: call.request.addr })) as ManagerSeat[];
      return {
        raftId: peer.nodeId,
        members: seats.map((s) => ({ raftId: s.nodeId, nodeId: s.nodeId, addr: s.addr })),
        removedMembers: [],
      };
    }),
    leave: unary(async (call) => {
      const peer = authenticate(call, policy, 'manager');
      if (call.request.nodeId !== peer.nodeId) throw new PeerAuthError(grpc.status.PERMISSION_DENIED, 'a manager can only leave as itself');
      await manager.call('removeManager', { nodeId: peer.nodeId });
      return {};
    }),
  };
}
