// Running the host tools the runtime drives (runc, mount, tar, unshare): bounded, with their stderr in
// the error when they fail; started by the command helper (spawner.ts), not by the daemon.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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

/** `name` as an absolute path, looked up on PATH as a shell would (conmon takes no bare name). */
export async function findExecutable(name: string): Promise<string> {
  if (name.includes('/')) return resolve(name);
  for (const dir of (process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = join(dir || '.', name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return resolve(candidate);
  }
  throw new CommandError([name], null, `${name}: executable file not found in $PATH`);
}
