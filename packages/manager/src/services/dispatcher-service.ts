// Dispatcher on 2377: agents' sessions and heartbeats (task assignment arrives with services).
import * as grpc from '@grpc/grpc-js';
import type { DispatcherServer } from '@shoal/proto';
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
    updateTaskStatus: unary(() => {
      throw new PeerAuthError(grpc.status.UNIMPLEMENTED, 'task status updates arrive with services');
    }),
    assignments: (call) => {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'assignments arrive with services' });
    },
  };
}
