// Running iproute2/nft/sysctl inside a network namespace. A Node thread cannot enter a netns, so every
// change to a sandbox is made by a short-lived child started with nsenter (which, unlike
// `ip netns exec`, leaves the mount namespace alone).
import { spawner } from '../../runtime/spawner.js';

/**
 * A network namespace: a name under /run/netns (as `ip netns add` makes), an absolute path to a netns
 * file (/proc/PID/ns/net, a bind mount), or `host` for the namespace this process runs in.
 */
export type Netns = string;
export const HOST_NETNS: Netns = 'host';

export class NetnsCommandError extends Error {
  readonly code = 'netns-command-failed';
  constructor(
    readonly netns: Netns,
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const status = exitCode === null ? 'timed out or could not start' : `exit ${exitCode}`;
    super(`in netns ${netns}: ${argv.join(' ')} failed (${status}): ${stderr.trim()}`);
    this.name = 'NetnsCommandError';
  }
}

export function netnsPath(netns: Netns): string | undefined {
  if (netns === HOST_NETNS) return undefined;
  return netns.startsWith('/') ? netns : `/run/netns/${netns}`;
}

/** The argv that runs `argv` inside `netns`. */
export function inNetnsArgv(netns: Netns, argv: readonly string[]): string[] {
  const path = netnsPath(netns);
  return path === undefined ? [...argv] : ['nsenter', `--net=${path}`, '--', ...argv];
}

export interface RunOptions {
  readonly input?: string;
  /** Default 10 000 ms; the command is killed after it. */
  readonly timeoutMs?: number;
}

/** Runs a command inside `netns` to completion; resolves with stdout, rejects with NetnsCommandError. */
export async function runInNetns(netns: Netns, argv: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await spawner().run(inNetnsArgv(netns, argv), { input: options.input, timeoutMs: options.timeoutMs ?? 10_000 });
  if (result.spawnError !== undefined) throw new NetnsCommandError(netns, argv, null, result.spawnError);
  if (result.exitCode !== 0) throw new NetnsCommandError(netns, argv, result.exitCode, result.stderr);
  return result.stdout;
}

/** Applies an nft script as one transaction: all of it takes effect, or none. */
export async function nftApply(netns: Netns, script: string): Promise<void> {
  await runInNetns(netns, ['nft', '-f', '-'], { input: script });
}

/** Deletes an nft table if it exists (one transaction: create-if-missing, then delete). */
export async function nftDeleteTable(netns: Netns, family: string, table: string): Promise<void> {
  await nftApply(netns, `add table ${family} ${table}\ndelete table ${family} ${table}\n`);
}

export async function setSysctl(netns: Netns, key: string, value: string): Promise<void> {
  await runInNetns(netns, ['sysctl', '-q', '-w', `${key}=${value}`]);
}
