// Memory of everything a namespace host runs: every process whose network namespace is the host's
// (the daemon and whatever it started, e.g. dockerd's containerd), from /proc/PID/smaps_rollup.
// RSS counts shared pages (libraries, the node binary) in full for each process; PSS splits them among
// the processes that share them.
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';

function netnsInode(netns) {
  return `net:[${statSync(`/run/netns/${netns}`).ino}]`;
}

function rollup(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: kb('Rss'), pssKb: kb('Pss') };
}

/** Pids of the processes whose network namespace is the host's. */
export function hostPids(host) {
  const want = netnsInode(host.netns);
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === want) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Per-process and total RSS/PSS (KiB) of the processes in the host's namespace. */
export function hostMemory(host) {
  const processes = [];
  for (const pid of hostPids(host)) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      processes.push({ pid, comm, ...rollup(pid) });
    } catch {
      // exited while we looked
    }
  }
  const total = (k) => processes.reduce((s, p) => s + p[k], 0);
  return { processes, rssKb: total('rssKb'), pssKb: total('pssKb') };
}

export const mib = (kb) => (kb / 1024).toFixed(1);
