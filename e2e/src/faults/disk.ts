// Disk faults on a manager's Raft directory (<data-root>/swarm/raft), real at the filesystem level:
// - read-only: the daemon is killed, the directory is bind-mounted onto itself and remounted read-only,
//   and the daemon restarted on it (a per-mount ro flag cannot be set while LevelDB holds files open
//   for writing, hence the restart);
// - full: the daemon is killed, its Raft files are moved onto a small tmpfs mounted over the directory,
//   the daemon restarted, and the tmpfs then filled to the last byte while it runs.
// Undoing either kills the daemon, puts the files back on the real disk and starts it again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPid, kill9, runOk, startDaemon, waitForSocket, type Host } from '@shoal/cli/cluster';

export type DiskFaultKind = 'disk-readonly' | 'disk-full';

export function raftDir(host: Host): string {
  return join(host.dataRoot, 'swarm', 'raft');
}

async function killIfRunning(host: Host): Promise<void> {
  if (daemonPid(host) !== undefined) await kill9(host);
}

/** Starts the daemon; on a broken disk it may refuse to come up, which is part of the fault. */
async function startTolerant(host: Host): Promise<void> {
  await startDaemon(host);
  await waitForSocket(host, { timeoutMs: 10_000 }).catch(() => undefined);
}

export async function applyDiskFault(host: Host, kind: DiskFaultKind): Promise<() => Promise<void>> {
  const dir = raftDir(host);
  await killIfRunning(host);
  if (kind === 'disk-readonly') {
    await runOk(['mount', '--bind', dir, dir]);
    await runOk(['mount', '-o', 'remount,bind,ro', dir]);
    await startTolerant(host);
    return async () => {
      await killIfRunning(host);
      await runOk(['umount', dir]);
      await startTolerant(host);
    };
  }
  const stash = mkdtempSync(join(tmpdir(), 'shoal-faults-raft-'));
  try {
    await runOk(['cp', '-a', `${dir}/.`, stash], { timeoutMs: 30_000 });
    await runOk(['mount', '-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'shoal-faults', dir]);
    await runOk(['cp', '-a', `${stash}/.`, dir], { timeoutMs: 30_000 });
  } finally {
    rmSync(stash, { recursive: true, force: true });
  }
  await startTolerant(host);
  // dd stops with ENOSPC once the tmpfs is full; that exit status is the point.
  await runOk(['sh', '-c', `dd if=/dev/zero of=${dir}/FILLER bs=1M 2>/dev/null; true`], { timeoutMs: 30_000 });
  return async () => {
    await killIfRunning(host);
    rmSync(join(dir, 'FILLER'), { force: true });
    const back = mkdtempSync(join(tmpdir(), 'shoal-faults-raft-'));
    try {
      await runOk(['cp', '-a', `${dir}/.`, back], { timeoutMs: 30_000 });
      await runOk(['umount', dir]);
      rmSync(dir, { recursive: true, force: true });
      await runOk(['cp', '-a', back, dir], { timeoutMs: 30_000 });
    } finally {
      rmSync(back, { recursive: true, force: true });
    }
    await startTolerant(host);
  };
}
