// One slot of a service (a replica number, or a node for global services): retire tasks that failed,
// sit on a down or drained node, or are no longer wanted; finish a start-first replacement; start a
// stop-first replacement once its predecessor has stopped; and, when the slot is empty, start a new
// task as the restart policy allows.
import { restartPolicy } from '../control/service-defaults.js';
import type { ServiceObject } from '../store/objects.js';
import { isTerminal, rank, status } from '../tasks/lifecycle.js';
import { ENDED_BADLY, isDirty, nodeIsDown, timeOf, type Pass, type TaskDraft } from './pass.js';
import { newTask } from './task-factory.js';

export interface SlotRef {
  readonly slot: number;
  /** Global services: the node this slot is. */
  readonly nodeId?: string;
}

export const wantsToRun = (t: TaskDraft): boolean => rank(t.DesiredState) <= rank('running');

/** Stops a task; one on a down node can never report back, so it is orphaned at once. */
export function retire(pass: Pass, task: TaskDraft, desired: 'shutdown' | 'remove'): void {
  pass.plan.setDesired(task.ID, desired);
  if (task.NodeID !== undefined && nodeIsDown(pass.view.get('node', task.NodeID)) && !isTerminal(task.Status.State)) {
    pass.plan.setStatus(task.ID, status('orphaned', timeOf(pass), 'task orphaned: its node is down'));
  }
}

/**
 * Reconciles a slot that should exist; returns its healthy tasks (normally one; two while a
 * start-first replacement is starting).
 */
export function reconcileSlot(pass: Pass, service: ServiceObject, ref: SlotRef, tasks: readonly TaskDraft[]): TaskDraft[] {
  const healthy: TaskDraft[] = [];
  for (const task of tasks.filter(wantsToRun)) {
    const node = task.NodeID === undefined ? undefined : pass.view.get('node', task.NodeID);
    const lost = task.NodeID !== undefined && nodeIsDown(node);
    if (lost || node?.Spec.Availability === 'drain' || isTerminal(task.Status.State)) retire(pass, task, 'shutdown');
    else healthy.push(task);
  }
  if (healthy.length > 1) {
    const fresh = healthy.filter((t) => !isDirty(service, t));
    const newest = fresh.sort((a, b) => (b.CreatedAt ?? '').localeCompare(a.CreatedAt ?? ''))[0];
    if (newest?.Status.State === 'running') {
      for (const t of healthy) if (t !== newest) retire(pass, t, 'shutdown');
      return [newest];
    }
  }
  if (healthy.length === 0) replace(pass, service, ref);
  const waiting = healthy.filter((t) => t.DesiredState === 'ready');
  if (waiting.length > 0 && !stopping(slotTasks(pass, service.ID, ref))) for (const t of waiting) pass.plan.setDesired(t.ID, 'running');
  return healthy;
}

/** A task of the slot is still on its way down: its successor must not start yet (stop-first). */
function stopping(tasks: readonly TaskDraft[]): boolean {
  return tasks.some((t) => !wantsToRun(t) && !isTerminal(t.Status.State));
}

function replace(pass: Pass, service: ServiceObject, ref: SlotRef): void {
  const tasks = slotTasks(pass, service.ID, ref);
  if (stopping(tasks)) return;
  if (ref.nodeId !== undefined && pass.view.get('node', ref.nodeId)?.Spec.Availability !== 'active') return;
  const last = tasks.sort((a, b) => b.Status.Timestamp.localeCompare(a.Status.Timestamp))[0];
  if (last && ENDED_BADLY.includes(last.Status.State)) {
    const policy = restartPolicy(service.Spec.TaskTemplate);
    if (policy.condition === 'none') return;
    if (policy.condition === 'on-failure' && last.Status.State === 'complete') return;
    if (policy.maxAttempts > 0) {
      const since = policy.windowMs > 0 ? pass.nowMs - policy.windowMs : -Infinity;
      const failures = tasks.filter(
        (t) => ENDED_BADLY.includes(t.Status.State) && !isDirty(service, t) && Date.parse(t.Status.Timestamp) >= since,
      ).length;
      if (failures > policy.maxAttempts) return;
    }
    const dueMs = Date.parse(last.Status.Timestamp) + policy.delayMs;
    if (pass.nowMs < dueMs) {
      pass.plan.wake(dueMs);
      return;
    }
  }
  createTask(pass, service, ref);
}

export function createTask(pass: Pass, service: ServiceObject, ref: SlotRef, desired: 'ready' | 'running' = 'running'): void {
  pass.plan.create(newTask(service, { id: pass.newId(), time: timeOf(pass), slot: ref.slot, desired, ...(ref.nodeId !== undefined ? { nodeId: ref.nodeId } : {}) }));
}

export function slotTasks(pass: Pass, serviceId: string, ref: SlotRef): TaskDraft[] {
  return pass.plan.slotTasks(serviceId, ref);
}
