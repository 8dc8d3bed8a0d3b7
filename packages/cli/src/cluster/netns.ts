// Named network namespaces (the `ip netns` kind, bound under /run/netns) and running programs inside them.
// Programs are entered with `nsenter --net=…`, not `ip netns exec`: the latter also remounts /sys in a new
// mount namespace, which hides the host's cgroup mounts from programs that need them (runc under shoald).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readlinkSync, readFileSync, statSync, existsSync } from 'node:fs';
import { ClusterError } from './errors.js';
import { run, runOk, type RunOptions, type RunResult } from './run.js';

const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

export async function addNetns(name: string): Promise<void> {
  await runOk(['ip', 'netns', 'add', name]);
  // Loopback is down in a fresh namespace; daemons and DNS helpers bind to it.
  await runOk(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/** Removes the namespace's name. Missing namespaces are not an error: teardown must be repeatable. */
export async function deleteNetns(name: string): Promise<void> {
  if (!netnsExists(name)) return;
  await runOk(['ip', 'netns', 'delete', name]);
}

export async function listNetns(): Promise<string[]> {
  const out = await runOk(['ip', 'netns', 'list']);
  // Lines read "NAME" or "NAME (id: N)".
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/** Every process whose network namespace is this one (found by inode, so it sees processes we did not spawn). */
export async function netnsPids(name: string): Promise<number[]> {
  if (!netnsExists(name)) return [];
  const out = await runOk(['ip', 'netns', 'pids', name]);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/** True when `pid` is alive and lives in namespace `name`: guards signals against reused pids. */
export function pidInNetns(pid: number, name: string): boolean {
  try {
    const link = readlinkSync(`/proc/${pid}/ns/net`); // "net:[4026532281]"
    const inode = statSync(netnsPath(name)).ino;
    return link === `net:[${inode}]` && pidAlive(pid);
  } catch {
    return false;
  }
}

/** True while the process exists and has not exited (a zombie awaiting its parent counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state field follows the parenthesised command name, which may itself contain ") ".
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Runs argv inside the namespace to completion. */
export function execIn(name: string, argv: readonly string[], options?: RunOptions): Promise<RunResult> {
  return run(nsenterArgv(name, argv), options);
}

export function execInOk(name: string, argv: readonly string[], options?: RunOptions): Promise<string> {
  return runOk(nsenterArgv(name, argv), options);
}

export function nsenterArgv(name: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=${netnsPath(name)}`, '--', ...argv];
}

/**
 * Starts a long-running program inside the namespace, detached from us (its own process group, output
 * appended to `logFile`), so it outlives the process that started it. nsenter execs the program, so the
 * returned pid is the program's own.
 */
export function spawnDetachedIn(name: string, argv: readonly string[], logFile: string): number {
  if (!netnsExists(name)) throw new ClusterError('COMMAND_FAILED', `network namespace ${name} does not exist`);
  const log = openSync(logFile, 'a');
  try {
    const [file, ...args] = nsenterArgv(name, argv);
    const child = spawn(file!, args, { detached: true, stdio: ['ignore', log, log] });
    child.on('error', () => {}); // nsenter is on PATH (util-linux); a failure shows as a dead pid
    child.unref();
    if (child.pid === undefined) throw new ClusterError('COMMAND_FAILED', `could not start ${argv.join(' ')}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}
