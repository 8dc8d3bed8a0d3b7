// ContainerRuntime on runc. Each container is an OCI bundle whose root filesystem is an overlay (image
// rootfs below, a per-container writable layer above), run by a detached monitor so it outlives the
// daemon: conmon (conmon.ts), or for a container with a terminal or an open stdin our Node shim
// (shim.ts). The daemon keeps one JSON record per container and learns about exits from the monitor's
// exit file; after a restart it picks running containers up again and clears what removed ones left.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImageError, type ImageStore } from '../images/index.js';
import { findExecutable, runCommand } from './command.js';
import { spawner } from './spawner.js';
import { createNetns, mountOverlay, unmount, type OverlayMount } from './host-mounts.js';
import { readLog } from './json-log.js';
import { conmonArgv } from './conmon.js';
import { readExitStatus, type ExitStatus } from './exit-status.js';
import { ExecRegistry } from './exec.js';
import { Gate } from './gate.js';
import { processStartTime, signalNumber } from './init-process.js';
import { attachDir, bundlesDir, containerPaths, containersDataDir, execsDir, netnsDir, runcRoot, type ContainerPaths, type RuntimeRoots } from './layout.js';
import { resolveContainer, validContainerName } from './names.js';
import { buildOciConfig } from './oci-config.js';
import { PendingAttaches } from './pending-attach.js';
import { processEnv, resolveProcess } from './process-spec.js';
import { recoverContainers, releaseContainer } from './recovery.js';
import { Backoff, shouldRestart } from './restart-policy.js';
import type { ShimConfig } from './shim.js';
import { writeEtcFiles } from './etc-files.js';
import { createWritableLayer } from './writable-layer.js';
import { readUserFiles } from './container-files.js';
import { resolveUser, type OciUser, type UserFiles } from './users.js';
import { connectShim, logStdio, sendToShim } from './stdio.js';
import { encodeResize } from './stdio-frames.js';
import {
  RuntimeError,
  type ContainerId,
  type ContainerIo,
  type ContainerRecord,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  type ExecId,
  type ExecSpec,
  type ExecState,
  type LogLine,
  type LogOptions,
  type ProcessStdio,
  type TtySize,
} from './types.js';

export interface RuncRuntimeOptions extends RuntimeRoots {
  readonly images: ImageStore;
  /** Default "runc". */
  readonly runcBinary?: string;
  /** Default "conmon". */
  readonly conmonBinary?: string;
  /** How often running containers' exit files are checked. Default 100 ms. */
  readonly exitPollMs?: number;
  /** Longest wait for runc to start a container, once its turn came. Default 10 000 ms. */
  readonly startTimeoutMs?: number;
  /**
   * Containers started at once; more wait their turn. Default 4. Hundreds of starts at once (a
   * 1 000-replica service on a few nodes) share the CPU with the daemon: each takes so long that
   * the start bound expires, and the managers' Raft ticks come late.
   */
  readonly parallelStarts?: number;
}

const shimScript = fileURLToPath(new URL('./shim.js', import.meta.url));
const ID_RE = /^[0-9a-f]{64}$/;
/** How often a stop looks for its container's exit file. */
const EXIT_WATCH_MS = 100;
/** Longest wait for a monitor's cleanup before a removal does it itself. */
const MONITOR_CLEANUP_MS = 30_000;
/** Longest wait for a SIGKILL to show as an exit. */
const KILL_EXIT_MS = 10_000;
/** Longest wait for a shim's attach socket to answer. */
const SHIM_CONNECT_MS = 5_000;
/** A container's monitor process, started through the command helper. */
interface Monitor {
  /** Resolves when it exited (or the helper that watched it was lost). */
  readonly exited: Promise<void>;
}

const NOT_STARTED: ContainerState = { status: 'created', pid: 0, exitCode: null, startedAt: null, finishedAt: null, error: '' };

export class RuncRuntime implements ContainerRuntime, ContainerIo {
  readonly #options: RuncRuntimeOptions;
  readonly #records = new Map<ContainerId, ContainerRecord>();
  readonly #listeners = new Set<(record: ContainerRecord) => void>();
  readonly #queues = new Map<ContainerId, Promise<unknown>>();
  readonly #poll: NodeJS.Timeout;
  readonly #pendingAttaches = new PendingAttaches();
  readonly #execs: ExecRegistry;
  /**
   * The monitors this process started that still run, by container: their end is reported by the
   * command helper, so their containers are not polled. conmon ends only after its cleanup (unmount,
   * `runc delete`), which takes seconds when hundreds of containers stop at once; a stop therefore
   * watches its own container's exit file, and a removal waits for the monitor's cleanup.
   */
  readonly #monitors = new Map<ContainerId, Promise<void>>();
  readonly #pathsOf = new Map<ContainerId, ContainerPaths>();
  readonly #startGate: Gate;
  /** The init process of each container this process started, with its start time (see #signal). */
  readonly #inits = new Map<ContainerId, { readonly pid: number; readonly startTime: string }>();
  /** The restarts restart policies have scheduled, by container, and each container's delays. */
  readonly #restarts = new Map<ContainerId, NodeJS.Timeout>();
  readonly #backoffs = new Map<ContainerId, Backoff>();
  /** How a restart policy starts a container (see startRestarts); undefined until the node is ready. */
  #restartThrough: ((id: ContainerId) => Promise<void>) | undefined;
  /** Containers being started by their policy: such a start keeps the count a user's start clears. */
  readonly #policyStarts = new Set<ContainerId>();
  #closed = false;
  /** runc's absolute path, which conmon needs; looked up on first use. */
  #runcPath: string | undefined;

  private constructor(options: RuncRuntimeOptions) {
    this.#options = options;
    this.#startGate = new Gate(options.parallelStarts ?? 4);
    this.#execs = new ExecRegistry({
      runc: this.#runc(),
      execDir: execsDir(options),
      container: (id) => this.#records.get(id),
      userFiles: (record) => this.#userFiles(record),
    });
    this.#poll = setInterval(() => this.#checkExits(), options.exitPollMs ?? 100);
    this.#poll.unref();
  }

  /** Opens the runtime over its roots: finds containers again and removes what removed ones left behind. */
  static async open(options: RuncRuntimeOptions): Promise<RuncRuntime> {
    // Execs die with the daemon (they are its children): whatever they left is stale.
    await rm(execsDir(options), { recursive: true, force: true });
    for (const dir of [containersDataDir(options), bundlesDir(options), netnsDir(options), runcRoot(options), attachDir(options), execsDir(options)]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    const runtime = new RuncRuntime(options);
    for (const { restarting: _gone, ...record } of await recoverContainers(options, runtime.#runc())) runtime.#records.set(record.spec.id, record);
    runtime.#checkExits();
    return runtime;
  }

  /** Stops watching; containers keep running (a later open() finds them). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#poll);
    for (const timer of this.#restarts.values()) clearTimeout(timer);
    this.#restarts.clear();
  }

  /**
   * Starts acting on restart policies, once the node can start containers: a restart goes through
   * `startThrough` (the node's outermost runtime, whose network side gives the container its legs
   * first). As dockerd's start, the stopped containers whose policy says so start now (always even
   * after a `docker stop`; unless-stopped unless stopped so; on-failure within its count), as a
   * user's start does: the count starts over.
   */
  startRestarts(startThrough: (id: ContainerId) => Promise<void>): void {
    this.#restartThrough = startThrough;
    for (const record of this.#records.values()) {
      if (record.state.status !== 'exited' || record.state.error !== '') continue;
      if (shouldRestart(record.spec.restartPolicy, this.#exitFacts(record))) void startThrough(record.spec.id).catch(() => undefined);
    }
  }

  async #policyStart(id: ContainerId): Promise<void> {
    this.#policyStarts.add(id);
    try {
      await this.#restartThrough?.(id);
    } catch {
      // As dockerd: a restart that fails leaves the container stopped, with the reason in its state.
    } finally {
      this.#policyStarts.delete(id);
      // Failed before the runtime's start (the network side): no longer waiting for anything.
      const record = this.#records.get(id);
      if (record?.restarting === true && !this.#restarts.has(id)) {
        const { restarting: _failed, ...rest } = record;
        await this.#keep(rest);
      }
    }
  }

  #exitFacts(record: ContainerRecord): { exitCode: number; manuallyStopped: boolean; restartCount: number } {
    return { exitCode: record.state.exitCode ?? 0, manuallyStopped: record.manuallyStopped === true, restartCount: record.restartCount ?? 0 };
  }

  get(idOrName: string): ContainerRecord | undefined {
    const found = resolveContainer([...this.#records.values()].map((r) => ({ id: r.spec.id, name: r.spec.name, r })), idOrName);
    return found.kind === 'found' ? found.item.r : undefined;
  }

  list(): readonly ContainerRecord[] {
    return [...this.#records.values()];
  }

  /** Containers created from `imageId`, for the image store's in-use refusals. */
  imageUsers(imageId: string): { id: string; running: boolean }[] {
    return this.list().filter((r) => r.imageId === imageId).map((r) => ({ id: r.spec.id, running: r.state.status === 'running' }));
  }

  subscribe(listener: (record: ContainerRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async create(spec: ContainerSpec): Promise<ContainerRecord> {
    if (!ID_RE.test(spec.id)) throw new RuntimeError('invalid-argument', `invalid container ID: ${spec.id}`);
    if (!validContainerName(spec.name)) {
      throw new RuntimeError('invalid-argument', `Invalid container name (${spec.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const taken = [...this.#records.values()].find((r) => r.spec.name === spec.name || r.spec.id === spec.id);
    if (taken !== undefined) {
      throw new RuntimeError(
        'conflict',
        `Conflict. The container name "/${spec.name}" is already in use by container "${taken.spec.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    let image;
    try {
      image = this.#options.images.resolve(spec.image);
    } catch (err) {
      if (err instanceof ImageError) throw new RuntimeError(err.code, err.message, { cause: err });
      throw err;
    }
    const process = resolveProcess(spec, image.config.config ?? {});
    const paths = this.#paths(spec.id);
    const record: ContainerRecord = {
      spec,
      imageId: image.id,
      createdAt: new Date().toISOString(),
      state: NOT_STARTED,
      process,
      files: {
        hostsPath: paths.hostsPath,
        resolvConfPath: paths.resolvConfPath,
        hostnamePath: paths.hostnamePath,
        logPath: paths.logPath,
        sandboxKey: spec.netnsPath ?? paths.netnsFile,
      },
    };
    // Claimed before the first await, so two creates cannot take one name.
    this.#records.set(spec.id, record);
    try {
      await createWritableLayer({ upper: paths.upperDir, work: paths.workDir }, image.rootfsDir);
      await writeEtcFiles(paths, { hostname: process.hostname, hosts: spec.hosts, resolvConf: spec.resolvConf });
      await this.#save(record);
    } catch (err) {
      this.#records.delete(spec.id);
      await rm(paths.dataDir, { recursive: true, force: true });
      throw err;
    }
    this.#emit(record);
    return record;
  }

  /** A user's start also forgets the restart count and a `docker stop`, as dockerd's start does. */
  start(id: ContainerId): Promise<void> {
    return this.#serial(id, async () => {
      let record = this.#require(id);
      if (record.state.status === 'running') return;
      const byPolicy = this.#policyStarts.has(record.spec.id);
      await this.#cancelRestart(record.spec.id);
      record = this.#require(id);
      if (!byPolicy) this.#backoffs.delete(record.spec.id);
      if (!byPolicy && (record.restartCount !== undefined || record.manuallyStopped !== undefined)) {
        const { restartCount: _count, manuallyStopped: _stopped, ...rest } = record;
        record = await this.#keep(rest);
      }
      await this.#startGate.run(() => this.#start(record));
    });
  }

  async #start(record: ContainerRecord): Promise<void> {
    const id = record.spec.id;
    const paths = this.#paths(id);
    // The previous run's monitor may still be cleaning up (runc's state, the mount).
    await this.#monitorDone(id);
    await this.#prepareBundle(record, paths, await this.#startUser(record));
    const attaches = this.#pendingAttaches.take(id);
    const interactive = record.spec.tty === true || record.spec.openStdin === true;
    let monitor: Monitor;
    if (interactive) {
      monitor = await this.#startShim(record, paths, attaches.length);
      for (const attach of attaches) {
        connectShim(paths.attachSocket, record.spec.tty === true, SHIM_CONNECT_MS).then((stdio) => attach.resolve(stdio), (err: unknown) => attach.reject(err));
      }
    } else {
      // What the log holds from earlier runs is not this run's output. (conmon appends to the file.)
      await appendFile(paths.logPath, '');
      const logFrom = (await stat(paths.logPath)).size;
      monitor = await this.#startConmon(record, paths);
      for (const attach of attaches) attach.resolve(this.#logStdio(id, paths, logFrom));
    }
    if ((await this.#awaitCreate(paths, monitor.exited)) === 'exited') {
      const exit = await readExitStatus(paths);
      if (exit.error !== '') {
        await this.#finish(id, exit);
        throw new RuntimeError(exit.exitCode === 127 ? 'invalid-argument' : 'internal', `failed to create task for container: OCI runtime create failed: ${exit.error}: unknown`);
      }
    } else if (!interactive) {
      // conmon ran `runc create`; the process starts on `runc start`.
      await runCommand([...this.#runc(), 'start', id]).catch(async (err: unknown) => {
        // Gone, or stuck before its start: make sure it ends, so conmon records the exit and cleans up.
        await this.#signal(id, 'SIGKILL');
        throw new RuntimeError('internal', `cannot start container ${id}: ${(err as Error).message}`, { cause: err });
      });
    }
    const pid = Number((await readFile(paths.pidFile, 'utf8').catch(() => '0')).trim()) || 0;
    const startTime = processStartTime(pid);
    if (startTime !== undefined) this.#inits.set(id, { pid, startTime });
    await this.#update(id, { status: 'running', pid, exitCode: null, startedAt: new Date().toISOString(), finishedAt: null, error: '' });
    this.#checkExit(id);
  }

  /** The Node shim, which mounts, runs `runc run` in the foreground and serves attach; resolves once it runs. */
  async #startShim(record: ContainerRecord, paths: ContainerPaths, awaitAttachers: number): Promise<Monitor> {
    const shim: ShimConfig = {
      runc: this.#runc(),
      bundle: paths.bundleDir,
      id: record.spec.id,
      logPath: paths.logPath,
      pidPath: paths.pidFile,
      exitFile: paths.exitFile,
      runcLog: paths.runcLog,
      attachSocket: paths.attachSocket,
      tty: record.spec.tty === true,
      consoleSize: record.spec.consoleSize,
      openStdin: record.spec.openStdin === true,
      awaitAttachers,
      rootfsMount: paths.rootfsDir,
      prepare: {
        overlay: this.#overlay(record, paths),
        ...(record.spec.netnsPath === undefined ? { netnsFile: paths.netnsFile } : {}),
      },
    };
    await writeFile(paths.shimConfig, JSON.stringify(shim));
    return this.#startMonitor(record.spec.id, [globalThis.process.execPath, shimScript, paths.shimConfig]);
  }

  /** conmon, after the mounts (conmon makes none); resolves once it runs. */
  async #startConmon(record: ContainerRecord, paths: ContainerPaths): Promise<Monitor> {
    await mountOverlay(this.#overlay(record, paths));
    if (record.spec.netnsPath === undefined) await createNetns(paths.netnsFile);
    return this.#startMonitor(record.spec.id, conmonArgv({
      conmon: this.#options.conmonBinary ?? 'conmon',
      runc: this.#runcPath ??= await findExecutable(this.#options.runcBinary ?? 'runc'),
      runcRoot: runcRoot(this.#options),
      id: record.spec.id,
      bundle: paths.bundleDir,
      pidFile: paths.pidFile,
      logPath: paths.logPath,
      exitDir: paths.exitDir,
      runcLog: paths.runcLog,
      socketDir: attachDir(this.#options),
      rootfs: paths.rootfsDir,
    }));
  }

  /** Starts a monitor through the command helper, which reports its exit; resolves once it runs. */
  async #startMonitor(id: ContainerId, argv: readonly string[]): Promise<Monitor> {
    let onExit!: () => void;
    const exited = new Promise<void>((resolve) => (onExit = resolve));
    this.#monitors.set(id, exited);
    await spawner().startDetached(argv, () => {
      this.#monitors.delete(id);
      onExit();
      this.#checkExit(id);
    }).catch((err: unknown) => {
      this.#monitors.delete(id);
      throw new RuntimeError('internal', `cannot start the container's supervisor: ${(err as Error).message}`, { cause: err });
    });
    return { exited };
  }

  /** A container without a terminal or stdin is attached to by following its log from `from`. */
  #logStdio(id: ContainerId, paths: ContainerPaths, from: number): ProcessStdio {
    const live = (): boolean => ['created', 'running'].includes(this.#records.get(id)?.state.status ?? 'removed');
    return logStdio((signal) => readLog(paths.logPath, { from, follow: true, signal, live }));
  }

  async wait(id: ContainerId, signal?: AbortSignal): Promise<number> {
    const record = this.#require(id);
    if (record.state.status === 'exited' || record.state.status === 'dead') return record.state.exitCode ?? 0;
    return new Promise<number>((resolve, reject) => {
      const done = (): void => {
        dispose();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason ?? new Error('aborted'));
      };
      const dispose = this.subscribe((r) => {
        if (r.spec.id !== id) return;
        if (r.state.status === 'exited' || r.state.status === 'dead') {
          done();
          resolve(r.state.exitCode ?? 0);
        } else if (r.removed) {
          done();
          reject(new RuntimeError('not-found', `No such container: ${id}`));
        }
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  stop(id: ContainerId, timeoutSec: number): Promise<void> {
    return this.#serial(id, async () => {
      const record = this.#require(id);
      const pending = await this.#cancelRestart(record.spec.id);
      if (record.state.status !== 'running' && !pending) return;
      await this.#markStopped(record.spec.id);
      if (record.state.status !== 'running') return;
      await this.#signal(id, 'SIGTERM');
      if (await this.#exitedWithin(id, Math.max(0, timeoutSec) * 1000)) return;
      await this.#signal(id, 'SIGKILL');
      if (!(await this.#exitedWithin(id, 10_000))) throw new RuntimeError('internal', `container ${id} did not exit after SIGKILL`);
    });
  }

  async kill(id: ContainerId, signal: string): Promise<void> {
    const record = this.#require(id);
    const restarting = this.#restarts.has(record.spec.id);
    if (record.state.status !== 'running' && !restarting) throw new RuntimeError('conflict', `Container ${id} is not running`);
    // dockerd: any signal (there is no stop signal to tell apart) ends the restarts until the next start.
    await this.#markStopped(record.spec.id);
    if (restarting) return;
    const name = /^\d+$/.test(signal) ? signal : signal.toUpperCase().replace(/^(SIG)?/, 'SIG');
    await this.#signal(id, name);
    // Its caller waits for the exit (dockerd's kill does): watched here as a stop does, not left to the monitor's end.
    if (signalNumber(name) === 9) await this.#exitedWithin(id, KILL_EXIT_MS);
  }

  remove(id: ContainerId, force: boolean): Promise<void> {
    return this.#serial(id, async () => {
      const record = this.#require(id);
      if (!force && this.#restarts.has(record.spec.id)) {
        throw new RuntimeError('conflict', `You cannot remove a restarting container ${record.spec.id}. Stop the container before attempting removal or force remove`);
      }
      await this.#cancelRestart(record.spec.id);
      if (record.state.status === 'running') {
        if (!force) {
          throw new RuntimeError('conflict', `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
        }
        await this.#signal(id, 'SIGKILL');
        if (!(await this.#exitedWithin(id, 10_000))) throw new RuntimeError('internal', `container ${id} did not exit after SIGKILL`);
      }
      // conmon unmounts and deletes runc's state after the exit; doing it here too would race it.
      await this.#monitorDone(id);
      await releaseContainer(this.#paths(id), id, this.#runc());
      this.#execs.forgetContainer(id);
      for (const attach of this.#pendingAttaches.take(id)) attach.reject(new RuntimeError('not-found', `No such container: ${id}`));
      const last = this.#records.get(id) ?? record;
      this.#records.delete(id);
      this.#pathsOf.delete(id);
      this.#inits.delete(id);
      this.#backoffs.delete(id);
      this.#emit({ ...last, removed: true });
    });
  }

  logs(id: ContainerId, options: LogOptions): AsyncIterable<LogLine> {
    this.#require(id);
    const both = options.stdout === undefined && options.stderr === undefined;
    return readLog(this.#paths(id).logPath, {
      tail: options.tail,
      follow: options.follow,
      signal: options.signal,
      accept: (line) => both || (line.stream === 'stdout' ? options.stdout === true : options.stderr === true),
      live: () => this.#records.get(id)?.state.status === 'running',
    });
  }

  attach(idOrName: string, signal: AbortSignal): Promise<ProcessStdio> {
    const record = this.#require(idOrName);
    const tty = record.spec.tty === true;
    if (record.state.status !== 'running') return this.#pendingAttaches.add(record.spec.id, signal);
    const paths = this.#paths(record.spec.id);
    if (tty || record.spec.openStdin === true) return connectShim(paths.attachSocket, tty, SHIM_CONNECT_MS);
    return stat(paths.logPath).then((s) => s.size, () => 0).then((from) => this.#logStdio(record.spec.id, paths, from));
  }

  async resize(idOrName: string, size: TtySize): Promise<void> {
    const record = this.#require(idOrName);
    if (record.state.status !== 'running') throw new RuntimeError('conflict', `Container ${record.spec.id} is not running`);
    if (record.spec.tty !== true) return;
    await sendToShim(this.#paths(record.spec.id).attachSocket, encodeResize(size.rows, size.cols), SHIM_CONNECT_MS);
  }

  createExec(idOrName: string, spec: ExecSpec): ExecState {
    return this.#execs.create(this.#require(idOrName), spec);
  }

  startExec(execId: ExecId, options: { readonly detach: boolean }): Promise<ProcessStdio | undefined> {
    return this.#execs.start(execId, options.detach);
  }

  getExec(execId: ExecId): ExecState | undefined {
    return this.#execs.get(execId);
  }

  resizeExec(execId: ExecId, size: TtySize): Promise<void> {
    return this.#execs.resize(execId, size);
  }

  #runc(): string[] {
    return [this.#options.runcBinary ?? 'runc', '--root', runcRoot(this.#options)];
  }

  #paths(id: ContainerId): ContainerPaths {
    let paths = this.#pathsOf.get(id);
    if (paths === undefined) {
      paths = containerPaths(this.#options, id);
      if (this.#records.has(id)) this.#pathsOf.set(id, paths);
    }
    return paths;
  }

  #require(idOrName: string): ContainerRecord {
    const record = this.get(idOrName);
    if (record === undefined) throw new RuntimeError('not-found', `No such container: ${idOrName}`);
    return record;
  }

  /**
   * Who the process runs as, from the container's user database. A user it does not know ends the
   * start as runc's refusals do (exited, the reason in its state, removed if --rm), as dockerd does.
   */
  async #startUser(record: ContainerRecord): Promise<OciUser> {
    try {
      return resolveUser(record.process!.user, await this.#userFiles(record), record.spec.groupAdd);
    } catch (err) {
      await this.#finish(record.spec.id, { exitCode: 128, finishedAt: new Date().toISOString(), error: (err as Error).message });
      throw err;
    }
  }

  async #prepareBundle(record: ContainerRecord, paths: ContainerPaths, user: OciUser): Promise<void> {
    const id = record.spec.id;
    await mkdir(paths.rootfsDir, { recursive: true, mode: 0o700 });
    await mkdir(paths.exitDir, { recursive: true, mode: 0o700 });
    const netnsPath = record.spec.netnsPath ?? paths.netnsFile;
    await rm(paths.exitFile, { force: true });
    await rm(paths.pidFile, { force: true });
    await rm(paths.runcLog, { force: true });
    // A runc state left by a crash, or by an exit whose cleanup has not run yet, would make runc refuse the ID.
    if (existsSync(paths.runcStateDir)) await runCommand([...this.#runc(), 'delete', '--force', id]).catch(() => undefined);
    const process = record.process!;
    const tty = record.spec.tty === true;
    const config = buildOciConfig({
      process: { args: [...(process.entrypoint ?? []), ...(process.cmd ?? [])], env: processEnv(process, tty), cwd: process.workingDir || '/', user, terminal: tty, consoleSize: record.spec.consoleSize },
      hostname: process.hostname,
      rootfs: paths.rootfsDir,
      netnsPath,
      cgroupsPath: `/shoal/${id}`,
      etcFiles: { hosts: paths.hostsPath, resolvConf: paths.resolvConfPath, hostname: paths.hostnamePath },
    });
    await writeFile(`${paths.bundleDir}/config.json`, JSON.stringify(config));
  }

  /** The container's user database, as the container sees it now. */
  #userFiles(record: ContainerRecord): Promise<UserFiles> {
    const overlay = this.#overlay(record, this.#paths(record.spec.id));
    return readUserFiles({ upper: overlay.upper, lower: overlay.lower });
  }

  #overlay(record: ContainerRecord, paths: ContainerPaths): OverlayMount {
    const image = this.#options.images.resolve(record.imageId);
    return { lower: image.rootfsDir, upper: paths.upperDir, work: paths.workDir, target: paths.rootfsDir };
  }

  /** Waits until runc created the container (its pid file is there) or its monitor is gone. */
  async #awaitCreate(paths: ContainerPaths, monitorExited: Promise<void>): Promise<'created' | 'exited'> {
    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 10_000);
    let gone = false;
    void monitorExited.then(() => (gone = true));
    // Quick at first (runc takes tens of ms), then slower: hundreds of starts may be waiting at once.
    for (let pauseMs = 5; Date.now() < deadline; pauseMs = Math.min(pauseMs * 2, 80)) {
      if (existsSync(paths.pidFile)) return 'created';
      if (gone) return existsSync(paths.pidFile) ? 'created' : 'exited';
      await Promise.race([sleep(pauseMs), monitorExited]);
    }
    throw new RuntimeError('internal', `runc did not start the container within ${this.#options.startTimeoutMs ?? 10_000} ms`);
  }

  /**
   * Signals the container's init process as `runc kill` does (the PID, checked against the start time
   * runc's state records, so a reused PID is never hit) but without starting runc: a `service rm` of
   * 1 000 replicas started 2 000 runc processes at once (TERM, then KILL), the load reached 900 and
   * exits took longer than their bounds. runc does it when this process did not start the container.
   */
  async #signal(id: ContainerId, signal: string): Promise<void> {
    const init = this.#inits.get(id);
    const number = signalNumber(signal);
    if (init !== undefined && number !== undefined) {
      // Another start time (or none): the init is gone and its exit is on its way; nothing to signal.
      if (processStartTime(init.pid) !== init.startTime) return;
      try {
        globalThis.process.kill(init.pid, number);
      } catch {
        // Gone meanwhile; the exit file tells what happened.
      }
      return;
    }
    // Fails when the process is already gone; the exit file tells what happened.
    await runCommand([...this.#runc(), 'kill', id, signal]).catch(() => undefined);
  }

  /** Resolves true once the container is no longer running, false after `ms`. */
  async #exitedWithin(id: ContainerId, ms: number): Promise<boolean> {
    this.#checkExit(id);
    if (this.#records.get(id)?.state.status !== 'running') return true;
    return new Promise<boolean>((resolve) => {
      const done = (exited: boolean): void => {
        clearTimeout(timer);
        clearInterval(watch);
        dispose();
        resolve(exited);
      };
      const timer = setTimeout(() => done(false), ms);
      // Its monitor may report the end only after its cleanup; the exit file comes first.
      const watch = setInterval(() => this.#checkExit(id), EXIT_WATCH_MS);
      const dispose = this.subscribe((r) => {
        if (r.spec.id === id && (r.removed === true || r.state.status !== 'running')) done(true);
      });
    });
  }

  /** Polls the running containers nobody reports the exit of (adopted after a restart). */
  #checkExits(): void {
    for (const id of this.#records.keys()) if (!this.#monitors.has(id)) this.#checkExit(id);
  }

  /** Turns a running container whose monitor wrote its exit file into an exited one. */
  #checkExit(id: ContainerId): void {
    if (this.#closed || this.#records.get(id)?.state.status !== 'running') return;
    const paths = this.#paths(id);
    if (existsSync(paths.exitFile)) void this.#serialExit(id, paths);
  }

  #exiting = new Set<ContainerId>();
  async #serialExit(id: ContainerId, paths: ContainerPaths): Promise<void> {
    if (this.#exiting.has(id)) return;
    this.#exiting.add(id);
    try {
      await this.#finish(id, await readExitStatus(paths));
    } finally {
      this.#exiting.delete(id);
    }
  }

  /** Waits (bounded) for the container's monitor to end, cleanup included, if this process started it. */
  async #monitorDone(id: ContainerId): Promise<void> {
    const monitor = this.#monitors.get(id);
    if (monitor === undefined) return;
    const bound = new AbortController();
    await Promise.race([monitor, sleep(MONITOR_CLEANUP_MS, undefined, { signal: bound.signal }).catch(() => undefined)]);
    bound.abort();
  }

  async #finish(id: ContainerId, exit: ExitStatus): Promise<void> {
    if (!this.#records.has(id) || this.#records.get(id)!.state.status === 'exited') return;
    const paths = this.#paths(id);
    // A monitor still running unmounts the root filesystem itself.
    if (!this.#monitors.has(id)) await unmount(paths.rootfsDir).catch(() => undefined);
    const prev = this.#records.get(id)!.state;
    await this.#update(id, { status: 'exited', pid: 0, exitCode: exit.exitCode, startedAt: prev.startedAt, finishedAt: exit.finishedAt, error: exit.error });
    if (this.#records.get(id)?.spec.autoRemove === true) void this.remove(id, false).catch(() => undefined);
    // A start that failed is not restarted (dockerd neither): only a process that ran and ended.
    else if (exit.error === '') await this.#scheduleRestart(id);
  }

  /** After an exit: the start its restart policy asks for, after dockerd's delay, counted. */
  async #scheduleRestart(id: ContainerId): Promise<void> {
    const record = this.#records.get(id);
    // A stop or kill cancels the restart whatever the policy (dockerd's ExitOnNext); a daemon start may still do it.
    if (record === undefined || this.#closed || this.#restartThrough === undefined || record.manuallyStopped === true) return;
    if (!shouldRestart(record.spec.restartPolicy, this.#exitFacts(record))) return;
    const ranMs = Date.parse(record.state.finishedAt ?? '') - Date.parse(record.state.startedAt ?? '');
    let backoff = this.#backoffs.get(id);
    if (backoff === undefined) this.#backoffs.set(id, (backoff = new Backoff()));
    const delayMs = backoff.next(Number.isFinite(ranMs) ? ranMs : 0);
    await this.#keep({ ...record, restartCount: (record.restartCount ?? 0) + 1, restarting: true });
    const timer = setTimeout(() => {
      this.#restarts.delete(id);
      void this.#policyStart(id);
    }, delayMs);
    this.#restarts.set(id, timer);
  }

  /** Cancels the restart scheduled for the container; says whether there was one. */
  async #cancelRestart(id: ContainerId): Promise<boolean> {
    const timer = this.#restarts.get(id);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.#restarts.delete(id);
    const { restarting: _was, ...record } = this.#records.get(id)!;
    await this.#keep(record);
    return true;
  }

  /** Only a container with a policy keeps the mark: thousands of task containers stop without a write more. */
  async #markStopped(id: ContainerId): Promise<void> {
    await this.#cancelRestart(id);
    const record = this.#records.get(id);
    if (record?.spec.restartPolicy !== undefined && record.manuallyStopped !== true) await this.#keep({ ...record, manuallyStopped: true });
  }

  async #update(id: ContainerId, state: ContainerState): Promise<void> {
    const current = this.#records.get(id);
    if (current === undefined) return;
    // A new state ends the wait for a restart (the restart ran, or failed).
    const { restarting: _done, ...rest } = current;
    this.#emit(await this.#keep({ ...rest, state }));
  }

  /**
   * Keeps and saves the container's record without announcing it: the restart bookkeeping is no change
   * of state, and subscribers act on every record they see (the network side frees an exited one's legs).
   */
  async #keep(next: ContainerRecord): Promise<ContainerRecord> {
    this.#records.set(next.spec.id, next);
    await this.#save(next);
    return next;
  }

  async #save(record: ContainerRecord): Promise<void> {
    const file = this.#paths(record.spec.id).recordFile;
    await writeFile(`${file}.tmp`, JSON.stringify(record));
    await rename(`${file}.tmp`, file);
  }

  #emit(record: ContainerRecord): void {
    for (const listener of [...this.#listeners]) listener(record);
  }

  #serial<T>(id: ContainerId, job: () => Promise<T>): Promise<T> {
    const key = this.get(id)?.spec.id ?? id;
    const run = (this.#queues.get(key) ?? Promise.resolve()).then(job, job);
    const tail = run.catch(() => undefined);
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }
}
