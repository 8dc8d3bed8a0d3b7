// Runs one assigned task: accepted → preparing → (create) → starting → (start) → running, then
// complete or failed when the container exits, shutdown when the managers ask it to stop. A task the
// managers want only `ready` (a stop-first replacement whose predecessor is still stopping) is
// reported ready and waits: its sandbox would claim the host-mode ports its predecessor on this node
// still holds, so it is prepared and started together once they want it running. Each step is
// reported; work for one task is serialized, and a step never reports an earlier state than the last
// one reported.
import type { TaskImages } from '../registry/task-images.js';
import { RuntimeError, type ContainerRuntime } from '../runtime/types.js';
import { containerSpec, stopGraceSec, type SandboxFiles } from './container-spec.js';
import { isTerminal, rank, shouldRun, type AssignedTask, type Assignments, type TaskState, type TaskStatus } from './task.js';

/** The data plane as the executor sees it. */
export interface TaskNetworking {
  /**
   * Takes in the networks of an assignments message, before its tasks are acted on. `liveTasks`: the
   * assigned tasks whose containers run already (adopted after a restart): their sandboxes are kept.
   */
  applyNetworks(kind: 'full' | 'incremental', changes: Assignments, liveTasks: readonly AssignedTask[]): Promise<void>;
  /** The task's sandbox on its networks; undefined = a namespace of its own. Failing fails the task. */
  prepare(task: AssignedTask): Promise<SandboxFiles | undefined>;
  /** The task's container has stopped: its sandbox and endpoints go. Repeatable. */
  release(taskId: string): Promise<void>;
}

export interface RunnerHost {
  readonly runtime: ContainerRuntime;
  /** Pulls a task's image when the node lacks it, while the task is `preparing`. */
  readonly images: TaskImages;
  report(taskId: string, status: TaskStatus): void;
  readonly networking: TaskNetworking;
  now(): string;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export class TaskRunner {
  readonly #host: RunnerHost;
  #task: AssignedTask;
  #serviceName: string;
  #containerId: string | null;
  #state: TaskState;
  #queue: Promise<void> = Promise.resolve();
  #waiting = false;
  #stopping = false;

  /** `after`: work on the task's previous container (its removal) that must end before this runner acts. */
  constructor(host: RunnerHost, task: AssignedTask, serviceName: string, adoptedContainerId: string | null = null, after?: Promise<void>) {
    this.#host = host;
    this.#task = task;
    this.#serviceName = serviceName;
    this.#containerId = adoptedContainerId;
    this.#state = task.Status.State;
    if (after) this.#queue = after.catch(() => undefined);
  }

  get containerId(): string | null {
    return this.#containerId;
  }

  /** The managers' latest view of the task: act on it. */
  update(task: AssignedTask, serviceName: string): Promise<void> {
    this.#task = task;
    if (serviceName) this.#serviceName = serviceName;
    return this.#enqueue(() => this.#reconcile());
  }

  /** The task is no longer assigned: stop and remove its container. */
  remove(): Promise<void> {
    return this.#enqueue(async () => {
      const id = this.#containerId;
      if (id && this.#host.runtime.get(id)) {
        await this.#host.runtime.stop(id, stopGraceSec(this.#task)).catch(() => undefined);
        await this.#host.runtime.remove(id, true).catch((err) => this.#host.log('warn', 'could not remove a task container', { task: this.#task.ID, err: String(err) }));
      }
      await this.#host.networking.release(this.#task.ID);
    });
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(step).catch((err: unknown) => {
      this.#host.log('error', 'task step failed', { task: this.#task.ID, err: String(err) });
      // A task must not sit in a state nothing backs any more (its container gone under it): failing it
      // lets the managers replace it.
      this.#report('failed', 'task step failed', { Err: err instanceof Error ? err.message : String(err) });
    });
    return this.#queue;
  }

  #report(state: TaskState, message: string, extra: Partial<TaskStatus> = {}): void {
    if (rank(state) < rank(this.#state) || isTerminal(this.#state)) return;
    this.#state = state;
    this.#host.report(this.#task.ID, { Timestamp: this.#host.now(), State: state, Message: message, PortStatus: {}, ...extra });
  }

  async #reconcile(): Promise<void> {
    if (!shouldRun(this.#task)) return this.#shutdown();
    if (isTerminal(this.#state)) return;
    const record = this.#containerId ? this.#host.runtime.get(this.#containerId) : undefined;
    if (record) return this.#follow(record.state.status === 'running');
    if (this.#task.DesiredState === 'ready') return this.#awaitStart();
    if (await this.#create()) await this.#start();
  }

  #awaitStart(): void {
    if (this.#state === 'ready') return;
    this.#report('accepted', 'accepted');
    this.#report('ready', 'prepared');
  }

  /** Prepares the sandbox and creates the container; false when that failed (and was reported). */
  async #create(): Promise<boolean> {
    const runtime = this.#host.runtime;
    this.#report('accepted', 'accepted');
    this.#report('preparing', 'preparing');
    let id: string;
    try {
      await this.#host.images.ensure(this.#task.Spec.ContainerSpec?.Image ?? '');
    } catch (err) {
      // The registry's own reason ("manifest unknown", "connection refused") is what the user needs in
      // `service ps`; dockerd logs it and reports only the "No such image" that follows.
      this.#report('rejected', 'preparing', { Err: err instanceof Error ? err.message : String(err) });
      return false;
    }
    try {
      const sandbox = await this.#host.networking.prepare(this.#task);
      id = (await runtime.create(containerSpec(this.#task, this.#serviceName, sandbox))).spec.id;
    } catch (err) {
      await this.#host.networking.release(this.#task.ID);
      const message = err instanceof Error ? err.message : String(err);
      this.#report(err instanceof RuntimeError && err.code === 'not-found' ? 'rejected' : 'failed', 'preparing', { Err: message });
      return false;
    }
    this.#containerId = id;
    return true;
  }

  async #start(): Promise<void> {
    const runtime = this.#host.runtime;
    const id = this.#containerId!;
    this.#report('starting', 'starting');
    try {
      await runtime.start(id);
    } catch (err) {
      await this.#host.networking.release(this.#task.ID);
      return this.#report('failed', 'starting', { Err: err instanceof Error ? err.message : String(err) });
    }
    this.#follow(true);
  }

  /** Reports the container running and waits for its exit; an already exited one is reported at once. */
  #follow(running: boolean): void {
    const id = this.#containerId!;
    const record = this.#host.runtime.get(id);
    if (running && record) {
      this.#report('running', 'started', { ContainerStatus: { ContainerID: id, PID: record.state.pid, ExitCode: 0 } });
    }
    if (this.#waiting) return;
    this.#waiting = true;
    this.#host.runtime.wait(id).then(
      (code) => this.#enqueue(() => this.#exited(id, code)),
      (err) => this.#host.log('warn', 'waiting for a task container failed', { task: this.#task.ID, err: String(err) }),
    );
  }

  async #exited(id: string, code: number): Promise<void> {
    this.#waiting = false;
    await this.#host.networking.release(this.#task.ID);
    const status = { ContainerStatus: { ContainerID: id, PID: 0, ExitCode: code } };
    if (this.#stopping || !shouldRun(this.#task)) return this.#report('shutdown', 'shutdown', status);
    if (code === 0) this.#report('complete', 'finished', status);
    else this.#report('failed', 'started', { ...status, Err: `task: non-zero exit (${code})` });
  }

  /**
   * Stops the container and releases its sandbox, also for a task the managers already hold terminal
   * (a node that was Down comes back to find its task orphaned and replaced, its container still
   * running under conmon): the task stays assigned until deleted, but nothing of it may keep running.
   */
  async #shutdown(): Promise<void> {
    const id = this.#containerId;
    if (id && this.#host.runtime.get(id)?.state.status === 'running') {
      this.#stopping = true;
      await this.#host.runtime.stop(id, stopGraceSec(this.#task));
    }
    await this.#host.networking.release(this.#task.ID);
    if (isTerminal(this.#state)) return;
    this.#report('shutdown', 'shutdown', id ? { ContainerStatus: { ContainerID: id, PID: 0, ExitCode: this.#host.runtime.get(id)?.state.exitCode ?? 0 } } : {});
  }
}
