// Network namespaces kept alive by bind mounts on files in one directory of the node's own, as dockerd
// keeps them under /var/run/docker/netns. Not /run/netns: every shoald on a machine (the e2e hosts are
// namespaces of one machine) shares that directory, so names there would collide and one node's
// start-up reclaim could delete another's. A file's path is what runc takes as the task's netns path.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command } from './command.js';
import { NetworkError } from './errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

let nsfsDevice: number | undefined;
/** The device number of nsfs, the filesystem every namespace file is on. */
function nsfsDev(): number {
  nsfsDevice ??= statSync('/proc/self/ns/net').dev;
  return nsfsDevice;
}

export class NetnsFiles {
  constructor(readonly dir: string) {}

  path(name: string): string {
    if (!NAME.test(name)) throw new NetworkError('invalid-argument', `invalid namespace name ${JSON.stringify(name)}`);
    return join(this.dir, name);
  }

  /**
   * True when a namespace is mounted on the file: a stat, not a read of /proc/self/mountinfo. That read
   * takes the mount namespace's lock, which every container start (runc copying the mount table)
   * contends for; with hundreds of starts at once it held the daemon's event loop in the kernel for
   * seconds at a time and a manager on the same host lost its Raft leadership (bench/convergence).
   */
  isMounted(name: string): boolean {
    try {
      return statSync(this.path(name)).dev === nsfsDev();
    } catch {
      return false; // no file: nothing mounted
    }
  }

  /** Creates the namespace (loopback up) unless it is already there; returns its path. */
  async create(name: string): Promise<string> {
    const path = this.path(name);
    if (this.isMounted(name)) return path;
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    writeFileSync(path, '', { flag: 'a' }); // the bind mount needs a file to cover; a crash may have left it
    await command(['unshare', `--net=${path}`, 'true']);
    await command(['ip', 'link', 'set', 'lo', 'up'], { netns: path });
    return path;
  }

  /**
   * Unmounts and deletes the file. The kernel frees the namespace (and what is left in it) once no
   * process is inside; callers delete links that must be gone at once (veths, VXLAN ports) first.
   * Removing a namespace that is not there is not an error: teardown must be repeatable.
   */
  async remove(name: string): Promise<void> {
    const path = this.path(name);
    if (this.isMounted(name)) await command(['umount', path]);
    rmSync(path, { force: true });
  }

  /** Names of the namespace files in the directory that are mounted namespaces right now (start-up and teardown). */
  mounted(): Set<string> {
    const names = new Set<string>();
    const prefix = this.dir.endsWith('/') ? this.dir : `${this.dir}/`;
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const fields = line.split(' ');
      const sep = fields.indexOf('-');
      const mountPoint = unescapeMountPath(fields[4] ?? '');
      if (sep < 0 || fields[sep + 1] !== 'nsfs' || !mountPoint.startsWith(prefix)) continue;
      const rest = mountPoint.slice(prefix.length);
      if (!rest.includes('/')) names.add(rest);
    }
    return names;
  }
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Unmounts and deletes every namespace file in `dir`: for tearing down a node whose driver is gone (a
 * test harness after kill -9, a wiped data root). A running driver should use reclaimStale instead.
 */
export async function removeAllNamespaces(dir: string): Promise<void> {
  const files = new NetnsFiles(dir);
  for (const name of files.mounted()) await files.remove(name);
}

