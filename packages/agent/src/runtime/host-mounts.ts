// The host-side mounts a container holds: its overlay root filesystem and, when the caller gave no
// namespace, a network namespace pinned by a bind mount (so it outlives the daemon and shows up as
// SandboxKey, as Docker's do). All idempotent, so cleanup after a crash can call them blindly.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { runCommand } from './command.js';

/** Mount points currently mounted (from /proc/self/mountinfo; octal escapes decoded). */
export async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return new Set(
    text.split('\n').flatMap((line) => {
      const field = line.split(' ')[4];
      return field === undefined ? [] : [field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))];
    }),
  );
}

export async function mountOverlay(options: { lower: string; upper: string; work: string; target: string }): Promise<void> {
  if ((await mountPoints()).has(options.target)) return;
  await runCommand([
    'mount', '-t', 'overlay', 'overlay',
    '-o', `lowerdir=${options.lower},upperdir=${options.upper},workdir=${options.work}`,
    options.target,
  ]);
}

/** Unmounts `target` if mounted (lazily, so a process still inside cannot make it fail). */
export async function unmount(target: string): Promise<void> {
  if (!(await mountPoints()).has(target)) return;
  await runCommand(['umount', '-l', target]);
}

/** A new network namespace with only lo, pinned at `file`. */
export async function createNetns(file: string): Promise<void> {
  if ((await mountPoints()).has(file)) return;
  await writeFile(file, '', { mode: 0o444 });
  await runCommand(['unshare', `--net=${file}`, 'true']);
  // The namespace starts with lo down; Docker's containers have it up.
  await runCommand(['nsenter', `--net=${file}`, 'ip', 'link', 'set', 'lo', 'up']);
}

export async function removeNetns(file: string): Promise<void> {
  await unmount(file);
  await rm(file, { force: true });
}
