// Control on 2377: followers forward the operations of their Engine API here, to the leader. Agents
// (any node) may run the few agent operations, for their own node only, on whichever manager they
// reach (it forwards them to the leader).
import type { ControlServer } from '@shoal/proto';
import { ControlError } from '../control/errors.js';
import { AGENT_OPERATIONS } from '../dispatcher/container-attachments.js';
import { authenticate, type AuthPolicy } from '../rpc/peer-auth.js';
import { unary } from './handle.js';
import type { ManagerHandle } from './index.js';

export function controlService(manager: ManagerHandle, policy: AuthPolicy): ControlServer {
  return {
    call: unary(async (call) => {
      const agentOperation = AGENT_OPERATIONS.has(call.request.method);
      const peer = authenticate(call, policy, agentOperation ? 'any' : 'manager');
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(call.request.payloadJson).toString('utf8'));
      } catch {
        return { outcome: { $case: 'error', value: { code: 'invalid-argument', message: 'malformed control payload', httpStatus: 400 } } };
      }
      try {
        const result = agentOperation
          ? await manager.call(call.request.method, { ...(payload as object), nodeId: peer.nodeId })
          : await manager.runLocally(call.request.method, payload);
        return { outcome: { $case: 'resultJson', value: Buffer.from(JSON.stringify(result ?? null)) } };
      } catch (err) {
        if (!(err instanceof ControlError)) throw err;
        return { outcome: { $case: 'error', value: { code: err.code, message: err.message, httpStatus: 0 } } };
      }
    }),
  };
}
