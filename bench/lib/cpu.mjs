// CPU time of everything a namespace host runs (the daemon and what it started in the host's namespace,
// e.g. dockerd's containerd and its shims), from /proc/PID/stat: own time plus the time of children it
// has reaped (short-lived runc calls). Task processes live in their own namespaces and are not counted.
import { readFileSync } from 'node:fs';
import { hostPids } from './memory.mjs';

const TICKS_PER_S = 100; // USER_HZ on Linux

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" of comm: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

/** CPU seconds used so far by the processes in the host's namespace, by pid. */
export function hostCpu(host) {
  const byPid = new Map();
  for (const pid of hostPids(host)) {
    try {
      byPid.set(pid, cpuTicks(pid) / TICKS_PER_S);
    } catch {
      // exited while we looked
    }
  }
  return byPid;
}

/** CPU seconds the processes of `before` and `after` used in between (processes that exited count 0). */
export function cpuBetween(before, after) {
  let s = 0;
  for (const [pid, t] of after) s += t - (before.get(pid) ?? 0);
  return s;
}
