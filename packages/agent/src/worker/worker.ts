// The agent's task executor: applies the assignments the managers send (full, then incremental) by
// running a TaskRunner per task, removes containers of tasks no longer assigned, and after a restart
// adopts the containers it finds again (by their task label) instead of starting new ones. Tasks on
// networks run in sandboxes the TaskNetworking (the data plane) prepares, and release when they end.
import type { TaskImages } from '../registry/task-images.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { TASK_ID_LABEL } from './container-spec.js';
import type { AssignedTask, Assignments, TaskStatus } from './task.js';
import { TaskRunner, type RunnerHost, type TaskNetworking } from './task-runner.js';

/** Without a puller: images must already be on the node (the container's create says so otherwise). */
const NO_PULLS: TaskImages = { ensure: async () => undefined };

/** Without a data plane: every task gets a fresh namespace of its own. */
const NO_NETWORKING: TaskNetworking = {
  applyNetworks: async () => undefined,
  prepare: async () => undefined,
  release: async () => undefined,
};

export interface WorkerOptions {
  readonly runtime: ContainerRuntime;
  /** Queues a status report for the managers. */
  readonly report: (taskId: string, status: TaskStatus) => void;
  /** Default: none (tasks are not attached to their networks). */
  readonly networking?: TaskNetworking;
  /** Default: no pulls. */
  readonly images?: TaskImages;
  readonly now?: () => string;
  readonly log: RunnerHost['log'];
}

export class Worker {
  readonly #host: RunnerHost;
  readonly #runners = new Map<string, TaskRunner>();
  /**
   * Task ID → the removal of its container, while in flight (a dropped runner's stop waits out the
   * grace period). A message that assigns the task again meanwhile must neither adopt that container
   * nor let a second removal race the first: its runner starts afresh once the removal is done.
   */
  readonly #removals = new Map<string, Promise<void>>();
  /** The intake of the last message: the next one is taken in after it. */
  #intake: Promise<void> = Promise.resolve();

  constructor(opts: WorkerOptions) {
    this.#host = {
      runtime: opts.runtime,
      images: opts.images ?? NO_PULLS,
      report: opts.report,
      networking: opts.networking ?? NO_NETWORKING,
      now: opts.now ?? (() => new Date().toISOString()),
      log: opts.log,
    };
  }

  /** Task IDs the worker currently runs or follows. */
  get taskIds(): string[] {
    return [...this.#runners.keys()];
  }

  /**
   * Applies one assignments message; resolves when every step it started has been taken. Messages are
   * taken in (networks, then each task handed to its runner) strictly in call order, but a call does
   * not wait for the steps of earlier ones: a step can take seconds (a stop waits the task's grace
   * period), and holding later messages behind it let the backlog grow without bound under churn, so
   * new tasks sat `assigned` for minutes. Each runner serializes its own task's steps.
   */
  apply(kind: 'full' | 'incremental', changes: Assignments): Promise<void> {
    const taken = this.#intake.then(() => this.#take(kind, changes));
    this.#intake = taken.then(
      () => undefined,
      () => undefined,
    );
    return taken.then(async (steps) => {
      await Promise.all(steps);
    });
  }

  /** Takes one message in and returns the steps it started. */
  async #take(kind: 'full' | 'incremental', changes: Assignments): Promise<Promise<void>[]> {
    await this.#host.networking.applyNetworks(kind, changes, this.#liveTasks(changes.tasks));
    const work: Promise<void>[] = [];
    if (kind === 'full') {
      const assigned = new Set(changes.tasks.map((t) => t.ID));
      for (const [id, runner] of this.#runners) {
        if (!assigned.has(id)) work.push(this.#drop(id, runner));
      }
      work.push(...this.#removeStrays(assigned));
    }
    for (const id of changes.removed) {
      const runner = this.#runners.get(id);
      if (runner) work.push(this.#drop(id, runner));
    }
    for (const task of changes.tasks) {
      const name = changes.serviceNames[task.ServiceID] ?? '';
      let runner = this.#runners.get(task.ID);
      if (!runner) {
        const removal = this.#removals.get(task.ID);
        runner = new TaskRunner(this.#host, task, name, removal ? null : this.#adoptable(task.ID), removal);
        this.#runners.set(task.ID, runner);
      }
      work.push(runner.update(task, name));
    }
    return work;
  }

  /** Stops following tasks (containers keep running: a restarted agent adopts them). */
  stop(): void {
    this.#runners.clear();
  }

  #drop(id: string, runner: TaskRunner): Promise<void> {
    this.#runners.delete(id);
    return this.#removing(id, runner.remove());
  }

  #removing(taskId: string, removal: Promise<void>): Promise<void> {
    const tracked: Promise<void> = removal.finally(() => {
      if (this.#removals.get(taskId) === tracked) this.#removals.delete(taskId);
    });
    this.#removals.set(taskId, tracked);
    return tracked;
  }

  /** Assigned tasks whose containers still run (after a restart): their sandboxes are kept. */
  #liveTasks(tasks: readonly AssignedTask[]): AssignedTask[] {
    const running = new Set(this.#host.runtime.list().filter((r) => r.state.status === 'running' && !r.removed).map((r) => r.spec.labels?.[TASK_ID_LABEL]));
    return tasks.filter((t) => running.has(t.ID));
  }

  #adoptable(taskId: string): string | null {
    const record = this.#host.runtime.list().find((r) => r.spec.labels?.[TASK_ID_LABEL] === taskId && !r.removed);
    return record?.spec.id ?? null;
  }

  /** Containers of swarm tasks this node no longer has (e.g. reassigned while it was down). */
  #removeStrays(assigned: ReadonlySet<string>): Promise<void>[] {
    return this.#host.runtime
      .list()
      .filter((r) => {
        const taskId = r.spec.labels?.[TASK_ID_LABEL];
        return taskId !== undefined && !assigned.has(taskId) && !this.#runners.has(taskId) && !this.#removals.has(taskId) && !r.removed;
      })
      .map((r) =>
        this.#removing(
          r.spec.labels![TASK_ID_LABEL]!,
          this.#host.runtime.remove(r.spec.id, true).catch((err) => this.#host.log('warn', 'could not remove a stray task container', { id: r.spec.id, err: String(err) })),
        ),
      );
  }
}
