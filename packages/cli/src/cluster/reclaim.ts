// Finding and ending what a cluster left running: processes inside its host namespaces, and processes
// inside namespaces its daemons bound under their own directories (e.g. task namespaces under an exec
// root), whose mounts must go before the directories can be removed.
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { netnsPids, pidAlive } from './netns.js';
import { runOk } from './run.js';

/** SIGTERM, then SIGKILL whatever is still alive after `graceMs`; resolves once all are gone (bounded). */
export async function terminate(pids: readonly number[], graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  if (await allGone(pids, graceMs)) return;
  signal('SIGKILL');
  await allGone(pids, 5_000);
}

async function allGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(pidAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export async function pidsInNetnses(netnses: readonly string[]): Promise<number[]> {
  const lists = await Promise.all(netnses.map(netnsPids));
  return [...new Set(lists.flat())].filter((pid) => pid !== process.pid);
}

/** Mount points at or below any of `dirs`, deepest first (the order in which to unmount them). */
export function mountsUnder(dirs: readonly string[]): { path: string; fstype: string }[] {
  const found: { path: string; fstype: string }[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // "id parent major:minor root mountpoint options [optional...] - fstype source superoptions"
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    const path = unescapeMountPath(fields[4] ?? '');
    const fstype = fields[sep + 1] ?? '';
    if (sep > 0 && dirs.some((dir) => path === dir || path.startsWith(`${dir}/`))) found.push({ path, fstype });
  }
  return found.sort((a, b) => b.path.length - a.path.length);
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Processes whose network namespace is one of the namespace files bound at `paths`. */
export function pidsInBoundNetnses(paths: readonly string[]): number[] {
  const wanted = new Set<string>();
  for (const path of paths) {
    try {
      wanted.add(`net:[${statSync(path).ino}]`);
    } catch {
      // unmounted meanwhile
    }
  }
  if (wanted.size === 0) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return wanted.has(readlinkSync(`/proc/${pid}/ns/net`));
      } catch {
        return false;
      }
    });
}

export async function unmountAll(paths: readonly string[]): Promise<void> {
  for (const path of paths) await runOk(['umount', '--lazy', path]);
}
