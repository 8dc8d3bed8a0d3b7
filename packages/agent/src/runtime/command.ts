// Running the host tools the runtime drives (runc, mount, tar, unshare): bounded, with their stderr in
// the error when they fail; started by the command helper (spawner.ts), not by the daemon.
import { spawner } from './spawner.js';

export class CommandError extends Error {
  readonly code = 'command-failed';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')} failed (${exitCode === null ? 'timed out or killed' : `exit ${exitCode}`}): ${stderr.trim()}`);
    this.name = 'CommandError';
  }
}

export interface CommandOptions {
  /** Default 30 000 ms; the command is killed after it. */
  readonly timeoutMs?: number;
  readonly input?: string;
}

/** Runs a command to completion; resolves with its stdout, rejects with CommandError on a non-zero exit. */
export async function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<string> {
  const result = await spawner().run(argv, { input: options.input, timeoutMs: options.timeoutMs ?? 30_000 });
  if (result.spawnError !== undefined) throw new CommandError(argv, null, result.spawnError);
  if (result.exitCode !== 0) throw new CommandError(argv, result.exitCode, result.stderr);
  return result.stdout;
}
