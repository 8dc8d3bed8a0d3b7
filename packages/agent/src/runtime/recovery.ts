// After a daemon restart: the containers' records say what should exist; processes, mounts, bundles,
// namespaces and runc state say what does. Running containers are found again, containers that died
// meanwhile are marked exited, and whatever belongs to no record is removed.
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './command.js';
import { removeNetns, unmount } from './host-mounts.js';
import { bundlesDir, containerPaths, containersDataDir, netnsDir, type ContainerPaths, type RuntimeRoots } from './layout.js';
import type { ContainerRecord } from './types.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

export async function recoverContainers(roots: RuntimeRoots, runc: readonly string[]): Promise<ContainerRecord[]> {
  const records: ContainerRecord[] = [];
  for (const id of await readdir(containersDataDir(roots))) {
    const paths = containerPaths(roots, id);
    let record: ContainerRecord;
    try {
      record = JSON.parse(await readFile(paths.recordFile, 'utf8')) as ContainerRecord;
    } catch {
      // A create that crashed before its record was written.
      await releaseContainer(paths, id, runc);
      continue;
    }
    records.push(await reconcile(record, paths));
  }
  const known = new Set(records.map((r) => r.spec.id));
  for (const id of await readdir(bundlesDir(roots))) {
    if (!known.has(id)) await releaseContainer(containerPaths(roots, id), id, runc);
  }
  const shortIds = new Set([...known].map((id) => id.slice(0, 12)));
  for (const name of await readdir(netnsDir(roots))) {
    if (!shortIds.has(name)) await removeNetns(join(netnsDir(roots), name)).catch(() => undefined);
  }
  return records;
}

/** A record said running: is the container still there? (Its exit file, if any, is read by the runtime.) */
async function reconcile(record: ContainerRecord, paths: ContainerPaths): Promise<ContainerRecord> {
  if (record.state.status !== 'running') {
    await unmount(paths.rootfsDir).catch(() => undefined);
    return record;
  }
  if (existsSync(paths.exitFile) || pidAlive(record.state.pid)) return record;
  await unmount(paths.rootfsDir).catch(() => undefined);
  return {
    ...record,
    state: { ...record.state, status: 'exited', pid: 0, exitCode: 255, finishedAt: new Date().toISOString(), error: 'container exited while the daemon was down, without an exit status' },
  };
}

/** Frees everything a container held: runc state, cgroups, mounts, namespace, bundle and data. Idempotent. */
export async function releaseContainer(paths: ContainerPaths, id: string, runc: readonly string[]): Promise<void> {
  // A stat first: runc deletes its state itself when a container it ran exits, and a start of runc costs.
  if (existsSync(paths.runcStateDir)) await runCommand([...runc, 'delete', '--force', id]).catch(() => undefined);
  await unmount(paths.rootfsDir).catch(() => undefined);
  await removeNetns(paths.netnsFile).catch(() => undefined);
  await rm(paths.bundleDir, { recursive: true, force: true });
  await rm(paths.attachSocket, { force: true });
  await rm(paths.dataDir, { recursive: true, force: true });
  await removeCgroups(id);
}

async function removeCgroups(id: string): Promise<void> {
  const controllers = await readdir(CGROUP_ROOT).catch(() => [] as string[]);
  for (const controller of controllers) await rmdir(join(CGROUP_ROOT, controller, 'shoal', id)).catch(() => undefined);
}

function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
