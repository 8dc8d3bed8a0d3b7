// The network driver's one error class. `code` is stable for callers (the worker maps it onto a task's
// status); the message is for people.
export type NetworkErrorCode =
  /** An ip/bridge/nft/unshare/mount command failed; `command` and `stderr` say which and why. */
  | 'command-failed'
  /** Encrypted overlays need IPsec ESP in the kernel; this one lacks it. Never falls back to plaintext. */
  | 'encryption-unsupported'
  /** The managers have not sent the network key ring yet; refused rather than sent in clear. */
  | 'encryption-keys-missing'
  | 'invalid-argument'
  | 'not-found'
  /** The request contradicts what exists (same network ID with another VNI, an address already taken…). */
  | 'conflict'
  /** The gateway bridge's address pool has no free address left. */
  | 'exhausted';

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly code: NetworkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failed host command: which command (argv, and the namespace it ran in) and what it printed. */
export class NetworkCommandError extends NetworkError {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('command-failed', `${command.join(' ')} failed (${exitCode === null ? 'timed out or could not start' : `exit ${exitCode}`}): ${stderr.trim()}`);
  }
}
