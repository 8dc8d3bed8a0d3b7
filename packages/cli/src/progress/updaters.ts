// What `docker service create/update` shows while a service converges: docker's replicated and
// global progress updaters (cli/command/service/progress), fed one snapshot of the service's
// up-to-date tasks and the nodes that are not down per poll, emitting stream messages.

import type { ProgressMessage } from './json-stream.js';

export interface ProgressTask {
  ID?: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string };
}

export interface ProgressService {
  ID: string;
  Spec: {
    Mode?: { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: object; GlobalJob?: object };
    UpdateConfig?: { Monitor?: number };
  };
  UpdateStatus?: { State?: string; Message?: string };
}

const NUMBERED_STATES: Record<string, number> = {
  new: 1,
  allocated: 2,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
  complete: 10,
  shutdown: 11,
  failed: 12,
  rejected: 13,
};
const RUNNING = 9;
/** The widest state shown in a bar ("allocated", "preparing"); actions are padded to it. */
const LONGEST_STATE = 9;
const MAX_PROGRESS = 9;
const MAX_PROGRESS_BARS = 20;

const rank = (state: string | undefined): number => NUMBERED_STATES[state ?? ''] ?? 0;
const terminal = (state: string | undefined): boolean => rank(state) > RUNNING;

export type Emit = (message: ProgressMessage) => void;

export interface ProgressUpdater {
  /** Renders one poll; true when every slot (or node) runs an up-to-date task. */
  update(service: ProgressService, tasks: readonly ProgressTask[], activeNodes: ReadonlySet<string>, rollback: boolean): boolean;
}

function overall(emit: Emit, running: number, wanted: number, rollback: boolean): void {
  const action = rollback ? `rolling back update: ${running} out of ${wanted} tasks` : `${running} out of ${wanted} tasks`;
  emit({ kind: 'progress', id: 'overall progress', action });
}

/** Newlines would break the display; 75 characters fit a narrow terminal. */
export function truncError(message: string): string {
  const flat = message.replace(/\n/g, ' ');
  const bytes = Buffer.from(flat, 'utf8');
  return bytes.length > 75 ? `${bytes.subarray(0, 74).toString('utf8')}…` : flat;
}

function taskLine(emit: Emit, id: string, task: ProgressTask): void {
  const err = task.Status?.Err ?? '';
  if (err !== '') {
    emit({ kind: 'progress', id, action: truncError(err) });
    return;
  }
  if (terminal(task.DesiredState) || terminal(task.Status?.State)) return;
  const state = task.Status?.State ?? '';
  emit({ kind: 'progress', id, action: state.padEnd(LONGEST_STATE), current: rank(state), total: MAX_PROGRESS, hideCounts: true });
}

/**
 * Among tasks of one slot or node, docker favours the lowest desired state, then the lowest
 * observed state (restarts and start-first updates leave several).
 */
function preferred(existing: ProgressTask | undefined, task: ProgressTask): boolean {
  if (!existing) return true;
  if (rank(existing.DesiredState) < rank(task.DesiredState)) return false;
  return !(rank(existing.DesiredState) === rank(task.DesiredState) && rank(existing.Status?.State) <= rank(task.Status?.State));
}

const known = (task: ProgressTask): boolean => rank(task.DesiredState) !== 0 && rank(task.Status?.State) !== 0;

export class ReplicatedProgress implements ProgressUpdater {
  /** Slots mapped to 1..n in the order first seen, so bars stay in place. */
  private readonly slotMap = new Map<number, number>();
  private initialized = false;
  private done = false;

  constructor(private readonly emit: Emit) {}

  update(service: ProgressService, tasks: readonly ProgressTask[], activeNodes: ReadonlySet<string>, rollback: boolean): boolean {
    const replicas = service.Spec.Mode?.Replicated?.Replicas ?? 0;
    if (!this.initialized) {
      overall(this.emit, 0, replicas, rollback);
      if (replicas <= MAX_PROGRESS_BARS) {
        for (let i = 1; i <= replicas; i++) this.emit({ kind: 'progress', id: `${i}/${replicas}`, action: ' ' });
      }
      this.initialized = true;
    }
    const bySlot = new Map<number, ProgressTask>();
    for (const task of tasks) {
      if (!known(task) || !preferred(bySlot.get(task.Slot ?? 0), task)) continue;
      if (task.NodeID && !activeNodes.has(task.NodeID)) continue;
      bySlot.set(task.Slot ?? 0, task);
    }
    if (this.done && [...bySlot.values()].some((task) => task.Status?.State !== 'running')) this.done = false;
    let running = 0;
    // Go visits the map in random order; by slot is one of its orders and reads best.
    for (const [slot, task] of [...bySlot].sort((a, b) => a[0] - b[0])) {
      let mapped = this.slotMap.get(slot);
      if (mapped === undefined) this.slotMap.set(slot, (mapped = this.slotMap.size + 1));
      if (!terminal(task.DesiredState) && task.Status?.State === 'running') running++;
      if (!this.done && replicas <= MAX_PROGRESS_BARS && mapped <= replicas) taskLine(this.emit, `${mapped}/${replicas}`, task);
    }
    if (!this.done) {
      overall(this.emit, running, replicas, rollback);
      if (running === replicas) this.done = true;
    }
    return running === replicas;
  }
}

export class GlobalProgress implements ProgressUpdater {
  private initialized = false;
  private done = false;

  constructor(private readonly emit: Emit) {}

  update(_service: ProgressService, tasks: readonly ProgressTask[], activeNodes: ReadonlySet<string>, rollback: boolean): boolean {
    const byNode = new Map<string, ProgressTask>();
    for (const task of tasks) {
      if (known(task) && preferred(byNode.get(task.NodeID ?? ''), task)) byNode.set(task.NodeID ?? '', task);
    }
    // The orchestrator creates the tasks of all eligible nodes at once: their count is the goal.
    const nodeCount = byNode.size;
    if (!this.initialized) {
      if (nodeCount === 0) {
        this.emit({ kind: 'progress', id: 'overall progress', action: 'waiting for new tasks' });
        return false;
      }
      overall(this.emit, 0, nodeCount, rollback);
      this.initialized = true;
    }
    if (this.done && [...byNode.values()].some((task) => task.Status?.State !== 'running')) this.done = false;
    let running = 0;
    for (const task of byNode.values()) {
      if (!activeNodes.has(task.NodeID ?? '')) continue;
      if (!terminal(task.DesiredState) && task.Status?.State === 'running') running++;
      if (!this.done && nodeCount <= MAX_PROGRESS_BARS) taskLine(this.emit, (task.NodeID ?? '').slice(0, 12), task);
    }
    if (!this.done) {
      overall(this.emit, running, nodeCount, rollback);
      if (running === nodeCount) this.done = true;
    }
    return running === nodeCount;
  }
}

/** docker's initializeUpdater; job modes have no updater here (shoal's services carry no JobStatus). */
export function updaterFor(service: ProgressService, emit: Emit): ProgressUpdater | undefined {
  const mode = service.Spec.Mode ?? {};
  if (mode.Replicated?.Replicas !== undefined) return new ReplicatedProgress(emit);
  if (mode.Global) return new GlobalProgress(emit);
  return undefined;
}
