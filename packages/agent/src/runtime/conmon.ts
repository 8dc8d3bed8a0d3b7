// The command line of conmon, the container monitor Podman and CRI-O use, which supervises every
// non-interactive container: ~1.3 MB of memory per container where our Node shim takes ~8.5 MB plus
// a foreground `runc run` (~3 MB). It runs `runc create` with the container's stdout/stderr on pipes it
// logs (k8s-file format), stays the container's parent as a subreaper, writes the exit code to its exit
// directory, then runs the exit command: unmount the root filesystem and `runc delete` (runc create
// leaves its state and cgroup behind, unlike runc run). `--sync` keeps it the child of the process that
// started it, so the daemon's command helper learns when it is done, exit command included.
export interface ConmonOptions {
  readonly conmon: string;
  readonly runc: string;
  readonly runcRoot: string;
  readonly id: string;
  readonly bundle: string;
  readonly pidFile: string;
  readonly logPath: string;
  readonly exitDir: string;
  readonly runcLog: string;
  /** conmon's attach sockets (unused: SOCK_SEQPACKET, which Node cannot open); names stay short there. */
  readonly socketDir: string;
  readonly rootfs: string;
}

// $0 rootfs, $1 runc, $2 runc root, $3 container ID. Lazily: a process still inside cannot make it fail.
const EXIT_COMMAND = 'umount -l "$0" 2>/dev/null; exec "$1" --root "$2" delete --force "$3"';

export function conmonArgv(o: ConmonOptions): string[] {
  const runtimeArgs = [`--root=${o.runcRoot}`, `--log=${o.runcLog}`, '--log-format=json'];
  const exitCommandArgs = ['-c', EXIT_COMMAND, o.rootfs, o.runc, o.runcRoot, o.id];
  return [
    o.conmon, '--api-version', '1', '--sync',
    '--cid', o.id, '--cuuid', o.id.slice(0, 12), '--name', o.id,
    '--runtime', o.runc, ...runtimeArgs.flatMap((arg) => ['--runtime-arg', arg]),
    '--bundle', o.bundle, '--container-pidfile', o.pidFile,
    '--log-path', `k8s-file:${o.logPath}`, '--exit-dir', o.exitDir, '--socket-dir-path', o.socketDir,
    '--log-level', 'error', '--no-new-keyring',
    // Docker does not fsync json-file logs either; 1 000 containers stopping would each sync.
    '--no-sync-log',
    '--exit-command', '/bin/sh', ...exitCommandArgs.flatMap((arg) => ['--exit-command-arg', arg]),
  ];
}
