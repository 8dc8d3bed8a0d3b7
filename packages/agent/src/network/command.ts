// Running iproute2/nft/util-linux commands, in the process's own network namespace or (through
// nsenter, since a Node thread cannot switch namespaces) in a namespace file; the command helper
// (runtime/spawner.ts) starts them. Every failure is a NetworkCommandError naming the command and its
// stderr; every command has a time bound.
import { spawner } from '../runtime/spawner.js';
import { NetworkCommandError } from './errors.js';

export interface CommandOptions {
  /** Run inside this network namespace file (a bind mount from NetnsFiles); default: our own namespace. */
  readonly netns?: string;
  /** Written to stdin (for `ip -batch -`, `nft -f -`). */
  readonly input?: string;
  /** Default 10 000 ms; the command is killed after it. */
  readonly timeoutMs?: number;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function commandArgv(argv: readonly string[], netns?: string): string[] {
  return netns === undefined ? [...argv] : ['nsenter', `--net=${netns}`, '--', ...argv];
}

/** Runs to completion whatever the exit code; only a command that cannot start rejects. */
export async function tryCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const full = commandArgv(argv, options.netns);
  // Always a stdin, empty by default: `ip -batch -` and `nft -f -` must see end of input.
  const result = await spawner().run(full, { input: options.input ?? '', timeoutMs: options.timeoutMs ?? 10_000, killSignal: 'SIGKILL' });
  if (result.spawnError !== undefined) throw new NetworkCommandError(full, null, result.spawnError);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Runs and resolves with stdout; a non-zero exit rejects with NetworkCommandError. */
export async function command(argv: readonly string[], options: CommandOptions = {}): Promise<string> {
  const result = await tryCommand(argv, options);
  if (result.exitCode !== 0) {
    const where = commandArgv(argv, options.netns);
    throw new NetworkCommandError(where, result.exitCode, result.stderr || result.stdout);
  }
  return result.stdout;
}

/** `ip -j …` parsed; iproute2 prints nothing (not `[]`) for some empty listings. */
export async function ipJson<T>(args: readonly string[], options: CommandOptions = {}): Promise<T[]> {
  const out = (await command(['ip', '-j', ...args], options)).trim();
  return out === '' ? [] : (JSON.parse(out) as T[]);
}

/** Runs `ip -batch -` (or `bridge -batch -`) with one command per line; nothing to do runs nothing. */
export async function batch(tool: 'ip' | 'bridge', lines: readonly string[], options: CommandOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  await command([tool, '-batch', '-'], { ...options, input: lines.join('\n') + '\n' });
}
