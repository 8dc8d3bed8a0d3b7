// Errors the CLI reports. Each knows how docker would print it and the exit code.

export abstract class CliFailure extends Error {
  abstract readonly code: string;
  /** The process exit code docker uses for this kind of failure. */
  readonly exitCode: number = 1;
}

/** A container's or a command's exit status, reported as shoal's own (nothing printed). */
export class ExitStatus extends CliFailure {
  readonly code = 'EXIT_STATUS';
  constructor(override readonly exitCode: number) {
    super('');
    this.name = 'ExitStatus';
  }
}

/** A 4xx/5xx answer from the daemon; printed as "Error response from daemon: <message>". */
export class DaemonError extends CliFailure {
  readonly code = 'DAEMON_ERROR';
  constructor(
    readonly status: number,
    readonly daemonMessage: string,
  ) {
    super(`Error response from daemon: ${daemonMessage}`);
    this.name = 'DaemonError';
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** The socket could not be reached at all. */
export class DaemonUnreachableError extends CliFailure {
  readonly code = 'DAEMON_UNREACHABLE';
  constructor(host: string, options?: { cause?: unknown }) {
    super(`Cannot connect to the shoal daemon at ${host}. Is the shoal daemon running?`, options);
    this.name = 'DaemonUnreachableError';
  }
}

/** A problem found on the client side (bad flag value, missing label, ...), printed verbatim. */
export class UsageError extends CliFailure {
  readonly code = 'USAGE';
  constructor(
    message: string,
    override readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Several per-argument failures (e.g. `rm a b`), printed one per line. */
export class MultiError extends CliFailure {
  readonly code = 'MULTIPLE';
  constructor(readonly errors: Error[]) {
    super(errors.map((error) => error.message).join('\n'));
    this.name = 'MultiError';
  }
}
