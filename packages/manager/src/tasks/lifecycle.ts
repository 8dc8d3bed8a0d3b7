// The task lifecycle: new → pending → assigned → accepted → preparing → starting → running →
// complete | shutdown | failed | rejected | orphaned. Every writer of a task's status (scheduler,
// orchestrator, the dispatcher applying an agent's report) goes through `advance`, so a status never
// moves backwards, whoever reports late.
import { TASK_STATES, type TaskState, type TaskStatus } from '../store/objects.js';

const RANK = new Map<TaskState, number>(TASK_STATES.map((s, i) => [s, i]));

export function rank(state: TaskState): number {
  const r = RANK.get(state);
  if (r === undefined) throw new Error(`task lifecycle: unknown state ${String(state)}`);
  return r;
}

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && RANK.has(value as TaskState);
}

/** The task has stopped for good (or never will run): nothing on a node runs it any more. */
export function isTerminal(state: TaskState): boolean {
  return rank(state) > rank('running');
}

/** A state that may still become running, or is. */
export function isLive(state: TaskState): boolean {
  return !isTerminal(state);
}

/** `a` comes strictly before `b` in the lifecycle. */
export function before(a: TaskState, b: TaskState): boolean {
  return rank(a) < rank(b);
}

/**
 * The status to store when `next` is reported for a task whose status is `current`: `next` when it
 * moves forward, `undefined` when it is stale (an earlier state, or the same state again with
 * nothing new). A terminal state is final: a later, different terminal state is stale too.
 */
export function advance(current: TaskStatus, next: TaskStatus): TaskStatus | undefined {
  const from = rank(current.State);
  const to = rank(next.State);
  if (to < from) return undefined;
  if (isTerminal(current.State) && current.State !== next.State) return undefined;
  if (to === from && sameStatus(current, next)) return undefined;
  const result = to === from ? { ...next, Timestamp: current.Timestamp } : next;
  assertForward(current, result);
  return result;
}

/** A broken invariant, not an error to pass along: a status write that moves a task backwards. */
export function assertForward(current: TaskStatus, next: TaskStatus): void {
  if (rank(next.State) < rank(current.State)) {
    throw new Error(`task lifecycle: ${current.State} → ${next.State} moves backwards`);
  }
}

/** A fresh status in `state` at `time`. */
export function status(state: TaskState, time: string, message: string, extra: Partial<TaskStatus> = {}): TaskStatus {
  return { Timestamp: time, State: state, Message: message, PortStatus: {}, ...extra };
}

function sameStatus(a: TaskStatus, b: TaskStatus): boolean {
  return a.Message === b.Message && a.Err === b.Err && JSON.stringify(a.ContainerStatus ?? null) === JSON.stringify(b.ContainerStatus ?? null);
}
