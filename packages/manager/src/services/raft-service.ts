// Raft on 2377: message batches between managers, and membership requests from managers joining
// or leaving. Only manager certificates get in.
import type { RaftMessageBatch, RaftServer, SendAck } from '@shoal/proto';
import { fromWire } from '../raft/codec.js';
import { authenticate, PeerAuthError, streamAuthenticator, type AuthPolicy, type PeerIdentity } from '../rpc/peer-auth.js';
import * as grpc from '@grpc/grpc-js';
import { toStatus, unary } from './handle.js';
import type { ManagerHandle } from './index.js';
import type { ManagerSeat } from '../control/membership-ops.js';

export function raftService(manager: ManagerHandle, policy: AuthPolicy): RaftServer {
  return {
    sendMessages: unary((call) => {
      deliver(manager, authenticate(call, policy, 'manager'), call.request);
      return { batches: 0 };
    }),
    streamMessages: (call) => receiveStream(call, manager, policy),
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

function deliver(manager: ManagerHandle, peer: PeerIdentity, batch: RaftMessageBatch): void {
  for (const wire of batch.messages) {
    if (wire.from !== peer.nodeId) throw new PeerAuthError(grpc.status.PERMISSION_DENIED, `node ${peer.nodeId} cannot send as ${wire.from}`);
    manager.receive(fromWire(wire));
  }
}

/**
 * Acknowledgements only prove the stream alive and free the sender's window, so they are not sent per
 * batch: each would wake the sender for nothing while it waits for Raft's own answer.
 */
const ACK_DELAY_MS = 50;
const ACK_EVERY_BATCHES = 32;

/**
 * A peer's stream of batches: each is checked (certificate still valid, node still a member) and
 * stepped on arrival; acknowledged by count, ACK_DELAY_MS after the first unacknowledged one or at
 * once when ACK_EVERY_BATCHES are waiting.
 */
function receiveStream(call: grpc.ServerDuplexStream<RaftMessageBatch, SendAck>, manager: ManagerHandle, policy: AuthPolicy): void {
  let check: () => PeerIdentity;
  try {
    check = streamAuthenticator(call, policy, 'manager');
  } catch (err) {
    call.emit('error', toStatus(err));
    return;
  }
  let open = true;
  let unacked = 0;
  let timer: NodeJS.Timeout | null = null;
  const ack = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (open && unacked > 0) call.write({ batches: unacked });
    unacked = 0;
  };
  const close = (): void => {
    open = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  call.on('cancelled', close);
  call.on('error', close);
  call.on('end', () => {
    if (open) call.end();
    close();
  });
  call.on('data', (batch: RaftMessageBatch) => {
    if (!open) return;
    try {
      deliver(manager, check(), batch);
    } catch (err) {
      close();
      call.emit('error', toStatus(err));
      return;
    }
    if (++unacked >= ACK_EVERY_BATCHES) ack();
    else timer ??= setTimeout(ack, ACK_DELAY_MS);
  });
}
