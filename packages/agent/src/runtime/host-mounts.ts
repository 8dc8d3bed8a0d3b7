// The host-side mounts a container holds: its overlay root filesystem and, when the caller gave no
// namespace, a network namespace pinned by a bind mount (so it outlives the daemon and shows up as
// SandboxKey, as Docker's do). All idempotent, so cleanup after a crash can call them blindly.
import { stat, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runCommand } from './command.js';

/** Runs a command to completion (stdout), rejecting on failure: the daemon's helper, or the shim's own spawn. */
export type Run = (argv: readonly string[]) => Promise<string>;

export interface OverlayMount {
  readonly lower: string;
  readonly upper: string;
  readonly work: string;
  readonly target: string;
}

/**
 * True when something is mounted on `path`: an overlay and a namespace file are each on a device of
 * their own, so the path's device differs from its directory's. A stat, not a read of
 * /proc/self/mountinfo: that read formats every mount of the machine (thousands at 1 000 containers,
 * all hosts of a test machine share the table) under the lock every container start takes.
 */
export async function isMountPoint(path: string): Promise<boolean> {
  try {
    const [self, parent] = await Promise.all([stat(path), stat(dirname(path))]);
    return self.dev !== parent.dev;
  } catch {
    return false; // not there: nothing mounted
  }
}

export async function mountOverlay(options: OverlayMount, run: Run = runCommand): Promise<void> {
  if (await isMountPoint(options.target)) return;
  await run([
    'mount', '-t', 'overlay', 'overlay',
    '-o', `lowerdir=${options.lower},upperdir=${options.upper},workdir=${options.work}`,
    options.target,
  ]);
}

/** Unmounts `target` if mounted (lazily, so a process still inside cannot make it fail). */
export async function unmount(target: string): Promise<void> {
  if (!(await isMountPoint(target))) return;
  await runCommand(['umount', '-l', target]);
}

/** A new network namespace with only lo, pinned at `file`. */
export async function createNetns(file: string, run: Run = runCommand): Promise<void> {
  if (await isMountPoint(file)) return;
  await writeFile(file, '', { mode: 0o444 });
  // The namespace starts with lo down; Docker's containers have it up. One command does both.
  await run(['unshare', `--net=${file}`, 'ip', 'link', 'set', 'lo', 'up']);
}

export async function removeNetns(file: string): Promise<void> {
  await unmount(file);
  await rm(file, { force: true });
}
