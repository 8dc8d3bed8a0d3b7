// What one pass of a control loop decides, collected before anything is written: new tasks, task
// changes (each status change through the lifecycle step, so never backwards), deletions, service
// changes. Reads go through the plan so later rules see earlier decisions of the same pass. Each
// service's changes become transactions of at most MAX_ACTIONS_PER_TRANSACTION actions with optimistic
// versions: a concurrent write refuses one, and the loop simply decides again on the next commit.
import type { StoreView } from '../store/memory-store.js';
import type { Draft, ServiceObject, TaskObject, TaskState, TaskStatus } from '../store/objects.js';
import type { Action } from '../store/transaction.js';
import { advance, rank } from '../tasks/lifecycle.js';
import { runToEnd, type Pacer, type Steps } from './steps.js';

type TaskDraft = Draft<TaskObject>;

interface TaskIndex {
  readonly byService: Map<string, string[]>;
  /** Keyed by slotKey; a task is filed under the slot and node it had when it was stored or created. */
  readonly bySlot: Map<string, string[]>;
}

/**
 * Bounds one Raft entry (~0.5 KB per task action, so ~250 KB) and the work of applying it: a
 * 10,000-replica service in one transaction was a 3.8 MB entry that stalled every manager while it
 * was encoded, sent and applied (bench/scale). Nothing relies on a service's changes landing
 * together: every loop is level-triggered and decides again from what did land.
 */
export const MAX_ACTIONS_PER_TRANSACTION = 500;

function slotKey(serviceId: string, slot: number, nodeId: string | undefined): string {
  return slot === 0 ? `${serviceId}/node/${nodeId ?? ''}` : `${serviceId}/${slot}`;
}

function addToIndex(index: TaskIndex, t: TaskDraft): void {
  const push = (map: Map<string, string[]>, key: string) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [t.ID]);
    else list.push(t.ID);
  };
  push(index.byService, t.ServiceID);
  push(index.bySlot, slotKey(t.ServiceID, t.Slot, t.NodeID));
}

export class Plan {
  readonly #view: StoreView;
  readonly #created = new Map<string, TaskDraft>();
  readonly #updated = new Map<string, TaskDraft>();
  readonly #deleted = new Set<string>();
  readonly #services = new Map<string, ServiceObject>();
  #wakeAtMs: number | undefined;

  constructor(view: StoreView) {
    this.#view = view;
  }

  /** The earliest time something the pass waited for (a restart delay, an update delay) is due. */
  get wakeAtMs(): number | undefined {
    return this.#wakeAtMs;
  }

  wake(atMs: number): void {
    if (this.#wakeAtMs === undefined || atMs < this.#wakeAtMs) this.#wakeAtMs = atMs;
  }

  /** The task as this pass sees it (with the pass's changes), or undefined once deleted. */
  task(id: string): TaskDraft | undefined {
    if (this.#deleted.has(id)) return undefined;
    return this.#updated.get(id) ?? this.#created.get(id) ?? this.#view.get('task', id);
  }

  /** Every task of a service as this pass sees it. */
  tasksOf(serviceId: string): TaskDraft[] {
    return this.#resolve(this.#index().byService.get(serviceId));
  }

  /** The tasks of one slot (replica number, or node for a global service) as this pass sees it. */
  slotTasks(serviceId: string, ref: { readonly slot: number; readonly nodeId?: string }): TaskDraft[] {
    const key = slotKey(serviceId, ref.nodeId !== undefined ? 0 : ref.slot, ref.nodeId);
    return this.#resolve(this.#index().bySlot.get(key)).filter((t) => (ref.nodeId !== undefined ? t.Slot === 0 && t.NodeID === ref.nodeId : t.Slot === ref.slot));
  }

  create(task: TaskDraft): void {
    this.#created.set(task.ID, task);
    if (this.#taskIndex !== undefined) addToIndex(this.#taskIndex, task);
  }

  /**
   * Task IDs by service and by slot, built once per pass from the view (which does not change during
   * a pass) plus the pass's creations: scanning every task of the cluster per slot made a pass
   * O(replicas × tasks), seconds at a few thousand replicas (bench/scale).
   */
  #taskIndex: TaskIndex | undefined;

  /** Builds the task index ahead of its first use, pausing as `pace` says. */
  *index(pace?: Pacer): Steps<void> {
    if (this.#taskIndex !== undefined) return;
    const index: TaskIndex = { byService: new Map(), bySlot: new Map() };
    for (const t of this.#view.list('task')) {
      if (pace?.due()) yield;
      addToIndex(index, t);
    }
    for (const t of this.#created.values()) addToIndex(index, t);
    this.#taskIndex = index;
  }

  #index(): TaskIndex {
    if (this.#taskIndex === undefined) runToEnd(this.index());
    return this.#taskIndex!;
  }

  #resolve(ids: readonly string[] | undefined): TaskDraft[] {
    return (ids ?? []).map((id) => this.task(id)).filter((t): t is TaskDraft => t !== undefined);
  }

  delete(id: string): void {
    this.#created.delete(id);
    this.#updated.delete(id);
    if (this.#view.get('task', id)) this.#deleted.add(id);
  }

  /** Moves the task's status forward; a report of an earlier state is ignored. */
  setStatus(id: string, next: TaskStatus): void {
    const task = this.task(id);
    if (!task) return;
    const status = advance(task.Status, next);
    if (status) this.#patch(task, { Status: status });
  }

  /** Desired states only move forward too (running → shutdown → remove). */
  setDesired(id: string, desired: TaskState): void {
    const task = this.task(id);
    if (!task || rank(desired) <= rank(task.DesiredState)) return;
    this.#patch(task, { DesiredState: desired });
  }

  patch(id: string, changes: Partial<TaskDraft>): void {
    const task = this.task(id);
    if (task) this.#patch(task, changes);
  }

  service(id: string): ServiceObject | undefined {
    return this.#services.get(id) ?? this.#view.get('service', id);
  }

  updateService(service: ServiceObject): void {
    this.#services.set(service.ID, service);
  }

  #patch(task: TaskDraft, changes: Partial<TaskDraft>): void {
    const next = { ...task, ...changes };
    if (this.#created.has(task.ID)) this.#created.set(task.ID, next);
    else this.#updated.set(task.ID, next);
  }

  /** Transactions per service, each of at most `maxActions` actions (the service's own update in the first). */
  transactions(maxActions = MAX_ACTIONS_PER_TRANSACTION): Action[][] {
    if (maxActions < 1) throw new Error(`plan: maxActions must be at least 1, got ${maxActions}`);
    const groups = new Map<string, Action[]>();
    const add = (key: string, action: Action) => {
      const list = groups.get(key) ?? [];
      list.push(action);
      groups.set(key, list);
    };
    for (const s of this.#services.values()) {
      const { Version, CreatedAt: _c, UpdatedAt: _u, ...object } = s;
      add(s.ID, { op: 'update', table: 'service', object, expectedVersion: Version.Index });
    }
    for (const t of this.#created.values()) add(t.ServiceID, { op: 'create', table: 'task', object: t });
    for (const t of this.#updated.values()) {
      const stored = this.#view.get('task', t.ID)!;
      const { Version: _v, UpdatedAt: _u, ...object } = t as TaskObject;
      add(t.ServiceID, { op: 'update', table: 'task', object, expectedVersion: stored.Version.Index });
    }
    for (const id of this.#deleted) {
      const stored = this.#view.get('task', id)!;
      add(stored.ServiceID, { op: 'delete', table: 'task', id, expectedVersion: stored.Version.Index });
    }
    const out: Action[][] = [];
    for (const actions of groups.values()) {
      for (let i = 0; i < actions.length; i += maxActions) out.push(actions.slice(i, i + maxActions));
    }
    return out;
  }
}
