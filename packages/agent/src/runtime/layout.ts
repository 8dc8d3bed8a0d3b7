// Where a container's pieces live. Persistent ones (record, /etc files, log, writable layer) under the
// data root, like Docker's <data-root>/containers/<id>; runtime ones (OCI bundle with the mounted root
// filesystem, the monitor's pid/exit files, runc's state, the network namespace) under the exec root.
import { join } from 'node:path';

export interface RuntimeRoots {
  readonly dataRoot: string;
  readonly execRoot: string;
}

export interface ContainerPaths {
  readonly dataDir: string;
  readonly recordFile: string;
  readonly hostsPath: string;
  readonly resolvConfPath: string;
  readonly hostnamePath: string;
  readonly logPath: string;
  readonly upperDir: string;
  readonly workDir: string;
  /** The OCI bundle: config.json and the rootfs mount point. */
  readonly bundleDir: string;
  readonly rootfsDir: string;
  readonly shimConfig: string;
  readonly pidFile: string;
  /** Where the container's monitor writes the exit file (conmon names it after the container ID). */
  readonly exitDir: string;
  /** The container's exit code as decimal text, written by its monitor once it exited. */
  readonly exitFile: string;
  /** runc's own log (JSON lines): why a container did not start. */
  readonly runcLog: string;
  /** The namespace made for the container when the caller gives none (Docker's SandboxKey). */
  readonly netnsFile: string;
  /** The shim's attach socket (conmon's link to its own); short, as sun_path holds 108 bytes. */
  readonly attachSocket: string;
  /** runc's state of the container; there only while runc knows the container. */
  readonly runcStateDir: string;
}

export function containersDataDir(roots: RuntimeRoots): string {
  return join(roots.dataRoot, 'containers');
}

export function bundlesDir(roots: RuntimeRoots): string {
  return join(roots.execRoot, 'containers');
}

export function netnsDir(roots: RuntimeRoots): string {
  return join(roots.execRoot, 'netns');
}

export function attachDir(roots: RuntimeRoots): string {
  return join(roots.execRoot, 'attach');
}

/** Per-exec process.json and pid file; nothing in it outlives the daemon. */
export function execsDir(roots: RuntimeRoots): string {
  return join(roots.execRoot, 'execs');
}

/** runc's --root: its container state lives with the other runtime files, apart from any other runc user. */
export function runcRoot(roots: RuntimeRoots): string {
  return join(roots.execRoot, 'runc');
}

export function containerPaths(roots: RuntimeRoots, id: string): ContainerPaths {
  const dataDir = join(containersDataDir(roots), id);
  const bundleDir = join(bundlesDir(roots), id);
  return {
    dataDir,
    recordFile: join(dataDir, 'container.json'),
    hostsPath: join(dataDir, 'hosts'),
    resolvConfPath: join(dataDir, 'resolv.conf'),
    hostnamePath: join(dataDir, 'hostname'),
    logPath: join(dataDir, `${id}-json.log`),
    upperDir: join(dataDir, 'rw', 'upper'),
    workDir: join(dataDir, 'rw', 'work'),
    bundleDir,
    rootfsDir: join(bundleDir, 'rootfs'),
    shimConfig: join(bundleDir, 'shim.json'),
    pidFile: join(bundleDir, 'init.pid'),
    exitDir: join(bundleDir, 'exit'),
    exitFile: join(bundleDir, 'exit', id),
    runcLog: join(bundleDir, 'runc.log'),
    netnsFile: join(netnsDir(roots), id.slice(0, 12)),
    attachSocket: join(attachDir(roots), id.slice(0, 12)),
    runcStateDir: join(runcRoot(roots), id),
  };
}
