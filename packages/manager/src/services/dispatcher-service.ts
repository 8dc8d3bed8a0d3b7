// Dispatcher on 2377: agents' sessions and heartbeats, their assignments (served from this manager's
// replicated store) and their task status reports (applied on the leader, forwarded there if need be).
import * as grpc from '@grpc/grpc-js';
import { AssignmentsType, type DispatcherServer } from '@shoal/proto';
import { AssignmentStream } from '../dispatcher/assignments.js';
import { authenticate, PeerAuthError, type AuthPolicy } from '../rpc/peer-auth.js';
import { toStatus, unary } from './handle.js';
import type { ManagerHandle } from './index.js';

export function dispatcherService(manager: ManagerHandle, policy: AuthPolicy): DispatcherServer {
  return {
    session: (call) => {
      let sessionId: string | null = null;
      call.on('cancelled', () => sessionId && manager.dispatcher.close(sessionId));
      Promise.resolve()
        .then(async () => {
          const peer = authenticate(call, policy, 'any');
          if (call.request.nodeId !== peer.nodeId) throw new PeerAuthError(grpc.status.PERMISSION_DENIED, 'a node can only open its own session');
          const description = JSON.parse(Buffer.from(call.request.descriptionJson).toString('utf8') || '{}') as Record<string, unknown>;
          const addr = typeof description.Addr === 'string' ? description.Addr : '';
          delete description.Addr;
          sessionId = await manager.dispatcher.open(peer.nodeId, description, addr, {
            write: (m) => call.write(m),
            end: () => call.end(),
          });
        })
        .catch((err: unknown) => call.emit('error', toStatus(err)));
    },
    heartbeat: unary((call) => {
      authenticate(call, policy, 'any');
      return { periodMs: manager.dispatcher.heartbeat(call.request.sessionId) };
    }),
    updateTaskStatus: unary(async (call) => {
      const peer = authenticate(call, policy, 'any');
      const reports = call.request.updates.map((u) => ({ taskId: u.taskId, status: JSON.parse(Buffer.from(u.statusJson).toString('utf8')) as unknown }));
      await manager.call('updateTaskStatus', { nodeId: peer.nodeId, reports });
      return {};
    }),
    assignments: (call) => {
      let stream: AssignmentStream | null = null;
      call.on('cancelled', () => stream?.stop());
      try {
        const peer = authenticate(call, policy, 'any');
        stream = new AssignmentStream(manager.store, peer.nodeId, {
          write: (kind, changes) =>
            call.write({
              type: kind === 'full' ? AssignmentsType.FULL : AssignmentsType.INCREMENTAL,
              changesJson: Buffer.from(JSON.stringify(changes)),
            }),
        });
        stream.start();
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },
  };
}
