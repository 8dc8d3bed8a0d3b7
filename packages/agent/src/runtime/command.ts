// Running the host tools the runtime drives (runc, mount, tar, unshare): bounded, with their stderr in
// the error when they fail.
import { spawn } from 'node:child_process';

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
export function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = options.input;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => reject(new CommandError(argv, null, e.message)));
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new CommandError(argv, code, Buffer.concat(err).toString('utf8')));
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}
