// A node's assignments: the tasks it must run or stop, streamed to its agent, first in full and then
// as changes. A task stays assigned while it should run or has not stopped yet; once it has stopped
// and should stay stopped it leaves the set, and the agent removes what it had for it.
import type { StoreView, MemoryStore } from '../store/memory-store.js';
import type { TaskObject } from '../store/objects.js';
import { isTerminal, rank } from '../tasks/lifecycle.js';

export interface AssignmentChanges {
  /** FULL: every assigned task. INCREMENTAL: tasks that are new or changed. */
  readonly tasks: readonly TaskObject[];
  /** INCREMENTAL only: IDs of tasks no longer assigned. */
  readonly removed: readonly string[];
  /** Names of the services of `tasks`: the agent names containers <service>.<slot>.<task>. */
  readonly serviceNames: Readonly<Record<string, string>>;
}

export interface AssignmentSink {
  write(kind: 'full' | 'incremental', changes: AssignmentChanges): void;
}

export function nodeAssignments(view: StoreView, nodeId: string): TaskObject[] {
  return view
    .list('task')
    .filter((t) => t.NodeID === nodeId && rank(t.Status.State) >= rank('assigned'))
    .filter((t) => rank(t.DesiredState) <= rank('running') || !isTerminal(t.Status.State));
}

export class AssignmentStream {
  readonly #store: MemoryStore;
  readonly #nodeId: string;
  readonly #sink: AssignmentSink;
  #sent = new Map<string, number>();
  #unsubscribe: (() => void) | null = null;

  constructor(store: MemoryStore, nodeId: string, sink: AssignmentSink) {
    this.#store = store;
    this.#nodeId = nodeId;
    this.#sink = sink;
  }

  /** Sends the full set and follows changes, in one synchronous step so nothing falls in between. */
  start(): void {
    const tasks = nodeAssignments(this.#store, this.#nodeId);
    this.#sent = new Map(tasks.map((t) => [t.ID, t.Version.Index]));
    this.#sink.write('full', { tasks, removed: [], serviceNames: this.#names(tasks) });
    this.#unsubscribe = this.#store.subscribe(() => this.#diff());
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  #names(tasks: readonly TaskObject[]): Record<string, string> {
    const names: Record<string, string> = {};
    for (const t of tasks) names[t.ServiceID] = this.#store.get('service', t.ServiceID)?.Spec.Name ?? names[t.ServiceID] ?? '';
    return names;
  }

  #diff(): void {
    const now = nodeAssignments(this.#store, this.#nodeId);
    const changed = now.filter((t) => this.#sent.get(t.ID) !== t.Version.Index);
    const ids = new Set(now.map((t) => t.ID));
    const removed = [...this.#sent.keys()].filter((id) => !ids.has(id));
    if (changed.length === 0 && removed.length === 0) return;
    this.#sent = new Map(now.map((t) => [t.ID, t.Version.Index]));
    this.#sink.write('incremental', { tasks: changed, removed, serviceNames: this.#names(changed) });
  }
}
