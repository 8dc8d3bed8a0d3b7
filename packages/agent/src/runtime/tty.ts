// Containers and execs with a terminal. runc, run in the foreground with `terminal: true`, makes the
// pty inside the container (its own devpts, the controlling terminal of the process) and relays between
// that pty and its own stdio — but only when its own stdio is a terminal, which it sets raw and whose
// size it copies to the container's on SIGWINCH. Node cannot open a pty (no ioctl) nor receive the master
// from runc's --console-socket (no SCM_RIGHTS), so runc gets its terminal from util-linux `script`
// (package bsdutils, Essential in Debian, so on every host): `script` opens a pty, runs runc on its slave
// and relays our pipes to its master. Resizing sets the size of that slave (stty -F); the kernel then
// signals SIGWINCH to runc, which resizes the container's pty.
import { readFile, readlink } from 'node:fs/promises';
import { runCommand } from './command.js';
import type { TtySize } from './types.js';

/**
 * argv that runs `argv` with a terminal as its stdio; exits with its status (128+n for a signal).
 * The terminal gets `size` first: runc copies its terminal's size to the container's as it starts,
 * which would otherwise undo the size the process was created with (OCI process.consoleSize).
 */
export function underTerminal(argv: readonly string[], size?: TtySize): string[] {
  // -q: no banners; -f: flush at once; -e: the child's exit status; -E never: no echo of our pipe's input
  // before runc has set the terminal raw. `exec` keeps runc the direct child, whose terminal resize() finds.
  const setSize = size !== undefined && size.rows > 0 && size.cols > 0 ? `stty rows ${Math.trunc(size.rows)} cols ${Math.trunc(size.cols)}; ` : '';
  return ['script', '-qfe', '-E', 'never', '-c', `${setSize}exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'];
}

/**
 * Resizes the terminal of the process `script` (pid `scriptPid`) runs. Returns false when that process
 * is gone or has no terminal (the container already exited).
 */
export async function resizeTerminal(scriptPid: number, size: TtySize): Promise<boolean> {
  if (size.rows <= 0 || size.cols <= 0) return false;
  const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
  const child = children.trim().split(/\s+/)[0];
  if (child === undefined || child === '') return false;
  const terminal = await readlink(`/proc/${child}/fd/0`).catch(() => '');
  if (!terminal.startsWith('/dev/pts/')) return false;
  await runCommand(['stty', '-F', terminal, 'rows', String(size.rows), 'cols', String(size.cols)], { timeoutMs: 5_000 });
  return true;
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
