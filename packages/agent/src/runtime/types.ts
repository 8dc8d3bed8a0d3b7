// The contract between whoever runs containers (the runc runtime) and whoever asks for them (the
// Engine API's container routes, and the task executor for swarm tasks). Plain data in, plain data out.

/** 64 lowercase hex characters, like Docker's container IDs. */
export type ContainerId = string;

export interface ContainerSpec {
  readonly id: ContainerId;
  /** Unique on the node, without Docker's leading slash. */
  readonly name: string;
  /** As the user gave it: name[:tag], or an image ID (full or prefix). */
  readonly image: string;
  /** Docker's resolution: Entrypoint + Cmd, each defaulting to the image's config. */
  readonly entrypoint?: readonly string[] | undefined;
  readonly cmd?: readonly string[] | undefined;
  /** KEY=VALUE, added to the image's Env. */
  readonly env?: readonly string[] | undefined;
  readonly workingDir?: string | undefined;
  readonly user?: string | undefined;
  /** `--group-add`: more groups for its processes (execs too), by name in its /etc/group or by gid. */
  readonly groupAdd?: readonly string[] | undefined;
  readonly hostname?: string | undefined;
  readonly tty?: boolean | undefined;
  /** The terminal's size at the start (Docker's HostConfig.ConsoleSize), when tty. */
  readonly consoleSize?: TtySize | undefined;
  /** The container's process gets a stdin that attached clients write to (Docker's OpenStdin). */
  readonly openStdin?: boolean | undefined;
  /** The first attached client that ends its input closes the container's stdin (`docker run -i`). */
  readonly stdinOnce?: boolean | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /**
   * The network namespace the container joins (a path like /run/netns/NAME or /proc/PID/ns/net). The
   * caller prepares it (network drivers); undefined gives the container a new, empty namespace with only lo.
   */
  readonly netnsPath?: string | undefined;
  /** Written as the container's /etc/resolv.conf and /etc/hosts when set. */
  readonly resolvConf?: string | undefined;
  readonly hosts?: string | undefined;
  /** Removed by the runtime once it has exited (`docker run --rm`). */
  readonly autoRemove?: boolean | undefined;
  /** Shown as HostConfig.NetworkMode ("default" when undefined); the namespace itself is netnsPath. */
  readonly networkMode?: string | undefined;
  /** `--network-alias`: extra DNS names on the network of networkMode (the network side reads them). */
  readonly networkAliases?: readonly string[] | undefined;
  /** Ports published on the node (`docker run -p`); the network side publishes them, the runtime only keeps them. */
  readonly ports?: readonly { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly publishedPort: number; readonly targetPort: number }[] | undefined;
  /** `docker run --restart`: the runtime starts the container again after it exits; undefined: never. */
  readonly restartPolicy?: RestartPolicy | undefined;
}

/** Docker's HostConfig.RestartPolicy, other than "no". */
export interface RestartPolicy {
  readonly name: 'always' | 'unless-stopped' | 'on-failure';
  /** on-failure only: at most this many restarts in a row (0: no limit). */
  readonly maximumRetryCount?: number | undefined;
}

export type ContainerStatus = 'created' | 'running' | 'exited' | 'dead';

export interface ContainerState {
  readonly status: ContainerStatus;
  /** Host PID of the container's init process while running, else 0. */
  readonly pid: number;
  /** Set once exited. */
  readonly exitCode: number | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Why the container could not start or died abnormally, else ''. */
  readonly error: string;
}

export interface ContainerRecord {
  readonly spec: ContainerSpec;
  /** The resolved image ID (sha256:…). */
  readonly imageId: string;
  readonly createdAt: string;
  readonly state: ContainerState;
  /** What it runs, after Docker's defaults from the image (inspect's Path/Args/Config). */
  readonly process?: ResolvedProcess;
  /** Host files of the container, as inspect shows them. */
  readonly files?: ContainerFiles;
  /** Set on the last record subscribers see of a container that was removed. */
  readonly removed?: boolean;
  /** Starts by its restart policy since the user last started it (Docker's RestartCount). */
  readonly restartCount?: number;
  /** Ended by `docker stop` or `docker kill` (Docker's HasBeenManuallyStopped), until the next start. */
  readonly manuallyStopped?: boolean;
  /** Exited, waiting out the delay before the start its restart policy scheduled (Docker's State.Restarting). */
  readonly restarting?: boolean;
}

export interface ResolvedProcess {
  /** Effective entrypoint (null when neither the spec nor the image has one). */
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  /** Image Env overridden by the spec's, key by key. */
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly hostname: string;
}

export interface ContainerFiles {
  readonly hostsPath: string;
  readonly resolvConfPath: string;
  readonly hostnamePath: string;
  readonly logPath: string;
  /** The network namespace the container runs in. */
  readonly sandboxKey: string;
}

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly time: string;
  readonly data: Buffer;
}

export interface LogOptions {
  readonly follow?: boolean;
  /** Last N lines; undefined = all. */
  readonly tail?: number;
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  readonly signal?: AbortSignal;
}

export interface TtySize {
  readonly rows: number;
  readonly cols: number;
}

export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

/** A live link to a process's stdio (a container's, through its shim, or an exec's). */
export interface ProcessStdio {
  /** With a terminal, all output is 'stdout'. */
  readonly tty: boolean;
  /** The output from now on, in order; ends when the process closed its output or close() was called. */
  output(): AsyncIterable<OutputChunk>;
  /** Ignored when the process has no stdin. */
  writeStdin(data: Uint8Array): void;
  endStdin(): void;
  resize(size: TtySize): void;
  /** Stops relaying; the process keeps running. Idempotent. */
  close(): void;
}

export interface ExecSpec {
  readonly cmd: readonly string[];
  readonly tty: boolean;
  /** Gives the process a stdin pipe (AttachStdin). */
  readonly stdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  readonly env?: readonly string[] | undefined;
  readonly user?: string | undefined;
  readonly workingDir?: string | undefined;
  readonly privileged?: boolean | undefined;
  /** The terminal's size at the start, when tty. */
  readonly consoleSize?: TtySize | undefined;
  /** The bytes an attached client types to detach, when tty (Docker's DetachKeys); undefined: ctrl-p ctrl-q. */
  readonly detachKeys?: readonly number[] | undefined;
}

export type ExecId = string;

export interface ExecState {
  readonly id: ExecId;
  readonly containerId: ContainerId;
  readonly spec: ExecSpec;
  readonly running: boolean;
  /** Whether start was called (an exec starts once). */
  readonly started: boolean;
  /** Host PID while running (and after, as Docker keeps it), 0 before the start. */
  readonly pid: number;
  /** Set once exited. */
  readonly exitCode: number | null;
}

/** Errors carry Docker's messages; `code` maps to the HTTP status at the API edge. */
export class RuntimeError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid-argument' | 'internal',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

export interface ContainerRuntime {
  /** Fails with not-found "No such image: X" when the image is not in the node's store. */
  create(spec: ContainerSpec): Promise<ContainerRecord>;
  start(id: ContainerId): Promise<void>;
  /** Resolves with the exit code once the container has exited (at once if it already has). */
  wait(id: ContainerId, signal?: AbortSignal): Promise<number>;
  /** SIGTERM, then SIGKILL after `timeoutSec`; also cancels a restart its policy has scheduled. */
  stop(id: ContainerId, timeoutSec: number): Promise<void>;
  /** With SIGKILL, resolves once the exit is recorded (bounded), for callers that wait for it. */
  kill(id: ContainerId, signal: string): Promise<void>;
  /** Refused for a running container unless `force` (which kills it first). Frees everything it held. */
  remove(id: ContainerId, force: boolean): Promise<void>;
  get(idOrName: string): ContainerRecord | undefined;
  list(): readonly ContainerRecord[];
  logs(id: ContainerId, options: LogOptions): AsyncIterable<LogLine>;
  /** Calls `listener` whenever any container's state changes; returns the disposer. */
  subscribe(listener: (record: ContainerRecord) => void): () => void;
}

/** Interactive access to containers' processes (attach, exec, terminals), for the Engine API. */
export interface ContainerIo {
  /**
   * Links to a container's stdio. For a container that is not running yet, resolves once start() ran it
   * (whose process waits, bounded, for this link, so no early output is lost); rejects with not-found when
   * it is removed first, or with the signal's reason when aborted.
   */
  attach(id: ContainerId, signal: AbortSignal): Promise<ProcessStdio>;
  /** Resizes a running container's terminal; a no-op without one. */
  resize(id: ContainerId, size: TtySize): Promise<void>;
  /** Registers a process to run in a running container (conflict when it is not running). */
  createExec(id: ContainerId, spec: ExecSpec): ExecState;
  /** Runs it; resolves with its stdio once it runs, or undefined when `detach` (output discarded). */
  startExec(execId: ExecId, options: { readonly detach: boolean }): Promise<ProcessStdio | undefined>;
  getExec(execId: ExecId): ExecState | undefined;
  resizeExec(execId: ExecId, size: TtySize): Promise<void>;
}
