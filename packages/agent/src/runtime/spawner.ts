// Every host command the agent runs (runc, mount, ip, nft, nsenter…) and every shim it starts is
// started by one long-lived helper process (spawner-child.ts) instead of by the daemon itself. Node
// forks on its main thread, and a fork costs in proportion to the process's memory: the daemon holds
// hundreds of MB, so at hundreds of container starts its event loop spent seconds inside fork() and
// Raft ticks and heartbeats came late (bench/convergence, 1 000 replicas). The helper is ~40 MB and
// forks on its own thread. It is started on first use, restarted if it dies, and does not keep the
// daemon alive when nothing is in flight.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type SpawnRequest =
  | { readonly kind: 'run'; readonly id: number; readonly argv: readonly string[]; readonly input?: string; readonly timeoutMs: number; readonly killSignal: NodeJS.Signals }
  | { readonly kind: 'detached'; readonly id: number; readonly argv: readonly string[] };

export type SpawnReply =
  /** A `run` finished; exitCode null = killed (timeout) or could not start (then spawnError says why). */
  | { readonly kind: 'done'; readonly id: number; readonly exitCode: number | null; readonly stdout: string; readonly stderr: string; readonly spawnError?: string }
  /** A `detached` child started (pid > 0) or could not (spawnError). */
  | { readonly kind: 'started'; readonly id: number; readonly pid: number; readonly spawnError?: string }
  /** A `detached` child exited. */
  | { readonly kind: 'exited'; readonly id: number };

export interface RunResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command could not be started at all. */
  readonly spawnError?: string;
}

export interface RunRequest {
  readonly input?: string;
  readonly timeoutMs: number;
  readonly killSignal?: NodeJS.Signals;
}

type Pending =
  | { readonly kind: 'run'; readonly resolve: (r: RunResult) => void }
  | { readonly kind: 'detached'; readonly resolve: (pid: number) => void; readonly reject: (err: Error) => void; readonly onExit: () => void; started: boolean };

const childScript = fileURLToPath(new URL('./spawner-child.js', import.meta.url));

export class Spawner {
  #child: ChildProcess | null = null;
  readonly #pending = new Map<number, Pending>();
  /** Runs and detached starts not yet answered: while any is, the helper keeps the daemon alive. */
  #awaited = 0;
  #nextId = 1;

  /** Runs `argv` to completion; resolves whatever the exit code (a start failure sets spawnError). */
  run(argv: readonly string[], request: RunRequest): Promise<RunResult> {
    const id = this.#nextId++;
    return new Promise<RunResult>((resolve) => {
      this.#pending.set(id, { kind: 'run', resolve });
      this.#send({ kind: 'run', id, argv, input: request.input, timeoutMs: request.timeoutMs, killSignal: request.killSignal ?? 'SIGTERM' });
    });
  }

  /**
   * Starts `argv` in a session of its own with no stdio, to outlive the daemon; resolves with its pid.
   * `onExit` is called once when it exits, or when the helper is lost (whoever waits must then look
   * for the child's own traces, as after a daemon restart).
   */
  startDetached(argv: readonly string[], onExit: () => void): Promise<number> {
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { kind: 'detached', resolve, reject, onExit, started: false });
      this.#send({ kind: 'detached', id, argv });
    });
  }

  /** Ends the helper (tests; the daemon's helper ends with the daemon). Pending runs fail. */
  close(): void {
    this.#child?.kill('SIGKILL');
  }

  #send(request: SpawnRequest): void {
    const child = this.#ensureChild();
    this.#awaited++;
    this.#refWhileBusy(child);
    child.send(request, (err) => {
      if (err !== null) this.#lost(child, `cannot reach the command helper: ${err.message}`);
    });
  }

  #ensureChild(): ChildProcess {
    if (this.#child !== null) return this.#child;
    // Not the daemon's Node flags (--inspect would take its port, --cpu-prof profile every helper).
    const child = fork(childScript, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json', execArgv: [] });
    child.on('message', (reply: SpawnReply) => this.#onReply(child, reply));
    child.once('exit', (code, signal) => this.#lost(child, `the command helper exited (${signal ?? `exit ${code}`})`));
    child.on('error', (err) => this.#lost(child, `the command helper failed: ${err.message}`));
    this.#child = child;
    return child;
  }

  #onReply(child: ChildProcess, reply: SpawnReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    if (reply.kind === 'done' && pending.kind === 'run') {
      this.#pending.delete(reply.id);
      this.#awaited--;
      const { exitCode, stdout, stderr, spawnError } = reply;
      pending.resolve(spawnError === undefined ? { exitCode, stdout, stderr } : { exitCode, stdout, stderr, spawnError });
    } else if (reply.kind === 'started' && pending.kind === 'detached') {
      this.#awaited--;
      if (reply.spawnError !== undefined) {
        this.#pending.delete(reply.id);
        pending.reject(new Error(reply.spawnError));
      } else {
        pending.started = true;
        pending.resolve(reply.pid);
      }
    } else if (reply.kind === 'exited' && pending.kind === 'detached') {
      this.#pending.delete(reply.id);
      pending.onExit();
    }
    this.#refWhileBusy(child);
  }

  /** Runs keep the daemon alive; started detached children do not (they are not waited for). */
  #refWhileBusy(child: ChildProcess): void {
    if (this.#awaited > 0) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  #lost(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#child = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#awaited = 0;
    for (const p of pending) {
      if (p.kind === 'run') p.resolve({ exitCode: null, stdout: '', stderr: '', spawnError: why });
      else if (!p.started) p.reject(new Error(why));
      else p.onExit();
    }
    child.kill('SIGKILL');
  }
}

let shared: Spawner | undefined;

/** The process's one helper, started on first use. */
export function spawner(): Spawner {
  shared ??= new Spawner();
  return shared;
}
