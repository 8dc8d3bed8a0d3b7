// What a host holds besides its daemon: processes in its namespace, mounts under its roots (namespace
// files of overlays and sandboxes included), links and nftables tables. A snapshot after setup and one
// after every run object is removed must match: anything new is a leak.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { daemonPid, execOnHost, waitFor, type Host } from '@shoal/cli/cluster';

/**
 * A node's gateway bridge with its nftables table, and the (empty) table of published ports, are made
 * by its data plane on first use and kept for the node's life, as Docker keeps docker_gwbridge:
 * infrastructure, not something a removed object left behind.
 */
const NODE_INFRASTRUCTURE = new Set(['links: docker_gwbridge', 'nftTables: table ip shoal-gwbridge', 'nftTables: table ip shoal_ports']);

export type HostSnapshot = Readonly<Record<'processes' | 'mounts' | 'links' | 'nftTables', readonly string[]>>;

/** The daemon's own command helper (agent/runtime/spawner.ts): started on first use, part of the daemon. */
function isDaemonHelper(pid: string, daemon: number | undefined, cmdline: string): boolean {
  if (!cmdline.endsWith('/runtime/spawner-child.js')) return false;
  const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return ppid !== undefined && Number(ppid) === daemon;
}

function processesIn(host: Host): string[] {
  const ino = statSync(`/run/netns/${host.netns}`).ino;
  const daemon = daemonPid(host);
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === daemon) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) !== `net:[${ino}]`) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter((w) => w !== '').join(' ');
      if (!isDaemonHelper(entry, daemon, cmdline)) found.push(cmdline);
    } catch {
      // the process exited while we looked
    }
  }
  return found.sort();
}

function mountsUnder(host: Host): string[] {
  const roots = [`${host.dataRoot}/`, `${host.execRoot}/`];
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((path) => roots.some((r) => path.startsWith(r)))
    .sort();
}

async function linesOf(host: Host, argv: string[]): Promise<string[]> {
  const r = await execOnHost(host, argv);
  if (r.code !== 0) throw new Error(`${host.name}: ${argv.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

export async function snapshotHost(host: Host): Promise<HostSnapshot> {
  const links = (await linesOf(host, ['ip', '-o', 'link', 'show'])).map((l) => (l.split(': ')[1] ?? '').split('@')[0] ?? '');
  const tables = await linesOf(host, ['nft', 'list', 'tables']);
  return { processes: processesIn(host), mounts: mountsUnder(host), links: links.sort(), nftTables: tables.sort() };
}

/** Items in `now` that `before` did not have (as multisets: two leaked sleeps are two). */
export function newSince(before: HostSnapshot, now: HostSnapshot): string[] {
  const out: string[] = [];
  for (const field of ['processes', 'mounts', 'links', 'nftTables'] as const) {
    const left = [...before[field]];
    for (const item of now[field]) {
      const i = left.indexOf(item);
      if (i >= 0) left.splice(i, 1);
      else if (!NODE_INFRASTRUCTURE.has(`${field}: ${item}`)) out.push(`${field}: ${item}`);
    }
  }
  return out;
}

/** Waits (bounded) until no host holds more than its baseline; returns the leftovers per host on timeout. */
export async function checkLeaks(hosts: readonly Host[], baseline: ReadonlyMap<Host, HostSnapshot>, timeoutMs: number): Promise<string[]> {
  let last: string[] = [];
  try {
    await waitFor('hosts back to their baseline', async () => {
      last = [];
      for (const host of hosts) {
        const before = baseline.get(host);
        if (before === undefined) continue;
        for (const item of newSince(before, await snapshotHost(host))) last.push(`${host.name} ${item}`);
      }
      return last.length === 0 ? true : undefined;
    }, { timeoutMs, intervalMs: 500 });
    return [];
  } catch {
    return last;
  }
}
