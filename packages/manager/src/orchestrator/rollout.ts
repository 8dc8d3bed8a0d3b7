// Rolling updates and rollbacks: replace tasks made from an older template in batches of
// UpdateConfig.Parallelism, UpdateConfig.Delay apart, stop-first or start-first; a new task that fails
// while the update runs triggers the failure action (pause, continue, rollback); the update completes
// once every slot has run a task of the current template for UpdateConfig.Monitor, as swarmkit's
// updater watches the last batch for failures before it declares the update completed. The CLI's
// attached progress relies on that: it gives up without "verify: Service converged" when it reads
// "completed" before it has seen every slot running.
import { rolloutConfig } from '../control/service-defaults.js';
import type { ServiceObject } from '../store/objects.js';
import { isTerminal } from '../tasks/lifecycle.js';
import { isDirty, type Pass, type TaskDraft } from './pass.js';
import { createTask, retire, wantsToRun, type SlotRef } from './slots.js';
import type { Steps } from './steps.js';

export interface SlotState {
  readonly ref: SlotRef;
  readonly healthy: readonly TaskDraft[];
}

const FAILED: readonly string[] = ['failed', 'rejected'];

export function* rollout(pass: Pass, service: ServiceObject, slots: readonly SlotState[]): Steps<void> {
  const rollingBack = service.UpdateStatus?.State === 'rollback_started';
  const state = service.UpdateStatus?.State;
  if (state === 'paused' || state === 'rollback_paused') return;
  const config = rolloutConfig(rollingBack ? service.Spec.RollbackConfig : service.Spec.UpdateConfig);
  const started = (state === 'updating' || rollingBack) && service.UpdateStatus?.StartedAt ? Date.parse(service.UpdateStatus.StartedAt) : undefined;
  let failed: TaskDraft | undefined;
  // Slots with a task of the new template on its way up, or of the old one on its way down.
  const busy = new Set<string>();
  for (const t of pass.plan.tasksOf(service.ID)) {
    if (pass.pace.due()) yield;
    if (!isTerminal(t.Status.State) && (wantsToRun(t) ? t.Status.State !== 'running' && !isDirty(service, t) : isDirty(service, t))) busy.add(slotKey(t));
    if (started !== undefined && failed === undefined && FAILED.includes(t.Status.State) && Date.parse(t.Status.Timestamp) >= started && !isDirty(service, t)) failed = t;
  }
  const inFlight = busy.size;
  if (failed && config.failureAction !== 'continue') return fail(pass, service, failed, config.failureAction, rollingBack);
  const candidates: SlotState[] = [];
  for (const s of slots) {
    if (pass.pace.due()) yield;
    if (s.healthy.length === 1 && isDirty(service, s.healthy[0]!)) candidates.push(s);
  }
  const memory = pass.rollout.get(service.ID) ?? { batchOpen: false, nextBatchAtMs: 0 };
  pass.rollout.set(service.ID, memory);
  if (inFlight === 0 && memory.batchOpen) {
    memory.batchOpen = false;
    memory.nextBatchAtMs = pass.nowMs + config.delayMs;
  }
  const settled = candidates.length === 0 && inFlight === 0 && (state === 'updating' || rollingBack);
  if (!settled) memory.settledAtMs = undefined;
  if (settled) {
    memory.settledAtMs ??= pass.nowMs;
    const doneAtMs = memory.settledAtMs + config.monitorMs;
    if (pass.nowMs < doneAtMs) return pass.plan.wake(doneAtMs);
    memory.settledAtMs = undefined;
    return complete(pass, service, rollingBack);
  }
  if (candidates.length === 0) return;
  if (pass.nowMs < memory.nextBatchAtMs) return pass.plan.wake(memory.nextBatchAtMs);
  const budget = config.parallelism === 0 ? candidates.length : config.parallelism - inFlight;
  for (const slot of candidates.slice(0, Math.max(0, budget))) {
    memory.batchOpen = true;
    if (config.order === 'start-first') createTask(pass, service, slot.ref);
    else {
      // As swarmkit: the successor exists at once, prepared (desired `ready`) while the old task stops.
      retire(pass, slot.healthy[0]!, 'shutdown');
      createTask(pass, service, slot.ref, 'ready');
    }
  }
}

/** A replicated task's slot number, or a global task's node. */
function slotKey(t: TaskDraft): string {
  return t.Slot > 0 ? `slot ${t.Slot}` : `node ${t.NodeID ?? ''}`;
}

function fail(pass: Pass, service: ServiceObject, task: TaskDraft, action: 'pause' | 'rollback', rollingBack: boolean): void {
  const now = new Date(pass.nowMs).toISOString();
  const current = pass.plan.service(service.ID) ?? service;
  if (action === 'rollback' && !rollingBack && current.PreviousSpec) {
    pass.plan.updateService({
      ...current,
      Spec: current.PreviousSpec,
      PreviousSpec: current.Spec,
      UpdateStatus: { State: 'rollback_started', StartedAt: now, Message: `update rolled back due to failure or early termination of task ${task.ID}` },
    });
    return;
  }
  pass.plan.updateService({
    ...current,
    UpdateStatus: {
      State: rollingBack ? 'rollback_paused' : 'paused',
      ...(current.UpdateStatus?.StartedAt ? { StartedAt: current.UpdateStatus.StartedAt } : {}),
      Message: `${rollingBack ? 'rollback' : 'update'} paused due to failure or early termination of task ${task.ID}`,
    },
  });
}

function complete(pass: Pass, service: ServiceObject, rollingBack: boolean): void {
  const current = pass.plan.service(service.ID) ?? service;
  pass.plan.updateService({
    ...current,
    UpdateStatus: {
      State: rollingBack ? 'rollback_completed' : 'completed',
      ...(current.UpdateStatus?.StartedAt ? { StartedAt: current.UpdateStatus.StartedAt } : {}),
      CompletedAt: new Date(pass.nowMs).toISOString(),
      Message: rollingBack ? 'rollback completed' : 'update completed',
    },
  });
}
