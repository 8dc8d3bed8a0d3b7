import { StoreError, type StoreRefusal } from '../store/errors.js';
// Errors of control operations. Each carries a stable code; the daemon's API edge maps codes to HTTP
// statuses, and the gRPC Control service carries them between managers unchanged.

export type ControlErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'conflict'
  | 'failed-precondition'
  | 'unavailable'
  | 'permission-denied'
  | 'not-implemented'
  | 'internal';

export class ControlError extends Error {
  readonly code: ControlErrorCode;
  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControlError';
    this.code = code;
  }
}

/** A store refusal as the control operation that caused it reports it: missing → 404, any clash → 409. */
export function refusalError(refusal: StoreRefusal): ControlError {
  return new ControlError(refusal.code === 'not-found' ? 'not-found' : 'conflict', refusal.message, { cause: new StoreError(refusal) });
}

export const noLeaderMessage =
  'rpc error: code = Unknown desc = The swarm does not have a leader. It\'s possible that too few managers are online. Make sure more than half of the managers are online.';

export const notManagerMessage =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

export const notManagerWorkerMessage =
  'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.';
