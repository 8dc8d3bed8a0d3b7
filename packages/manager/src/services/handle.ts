// One shape for every unary handler: authenticate, run, and turn any failure into a gRPC status
// (an operation's ControlError keeps its code and message in the status details).
import * as grpc from '@grpc/grpc-js';
import { ControlError } from '../control/errors.js';
import { PeerAuthError } from '../rpc/peer-auth.js';

export function unary<Req, Res>(run: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => run(call))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toStatus(err)),
      );
  };
}

export function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof PeerAuthError) return { code: err.grpcCode, details: err.message };
  if (err instanceof ControlError) {
    const code =
      err.code === 'invalid-argument' ? grpc.status.INVALID_ARGUMENT
      : err.code === 'not-found' ? grpc.status.NOT_FOUND
      : err.code === 'permission-denied' ? grpc.status.PERMISSION_DENIED
      : err.code === 'failed-precondition' ? grpc.status.FAILED_PRECONDITION
      : err.code === 'unavailable' ? grpc.status.UNAVAILABLE
      : grpc.status.UNKNOWN;
    return { code, details: err.message };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}
