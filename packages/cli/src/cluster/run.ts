// Runs a program to completion with a bound on its time: the one way this module shells out.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ClusterError } from './errors.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the program (SIGKILL) after this long. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Written to the program's stdin, which is then closed. */
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs argv; resolves with its exit code and output. A timeout rejects with code TIMEOUT. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new ClusterError('INVALID_OPTIONS', 'run: empty command');
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ClusterError('COMMAND_FAILED', `${argv.join(' ')}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new ClusterError('TIMEOUT', `${argv.join(' ')}: no exit within ${timeoutMs} ms`));
      } else {
        resolve({ code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]), stdout, stderr });
      }
    });
    child.stdin.on('error', () => {}); // a program that ignores its stdin may close it early
    child.stdin.end(options.input ?? '');
  });
}

/** Runs argv and rejects with COMMAND_FAILED (naming the command and its stderr) on a non-zero exit. */
export async function runOk(argv: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(argv, options);
  if (result.code !== 0) {
    throw new ClusterError(
      'COMMAND_FAILED',
      `${argv.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}
