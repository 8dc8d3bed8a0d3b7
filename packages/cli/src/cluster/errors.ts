// Errors of the cluster harness: one class, a stable code per failure, the cause kept.
export type ClusterErrorCode =
  | 'INVALID_OPTIONS' // a name, subnet or count that cannot make a cluster
  | 'CLUSTER_EXISTS' // `up` on a name that already has state or namespaces
  | 'CLUSTER_NOT_FOUND' // no state file and no leftovers under that name
  | 'HOST_NOT_FOUND' // a host name that no cluster knows
  | 'COMMAND_FAILED' // ip/nft/nsenter exited non-zero or timed out
  | 'DAEMON_NOT_RUNNING' // stop/kill on a host whose daemon is not running
  | 'DAEMON_RUNNING' // start on a host whose daemon already runs
  | 'DAEMON_EXITED' // the daemon died while we waited for its socket
  | 'TIMEOUT'; // a bounded wait ran out

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
