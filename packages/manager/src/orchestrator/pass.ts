// Everything one orchestration pass reads and decides with: the store view, the plan it fills, the
// time, fresh IDs, and the addresses in use. No clock or randomness of its own: passes are replayable.
import type { IpamState } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { Draft, NodeObject, ServiceObject, TaskObject, TaskSpec, TaskState } from '../store/objects.js';
import { canonical } from '../tasks/spec.js';
import type { Plan } from './plan.js';

export interface Pass {
  readonly view: StoreView;
  readonly plan: Plan;
  readonly nowMs: number;
  /** nowMs as RFC 3339, made once per pass (every new task and status carries it). */
  readonly time: string;
  readonly newId: () => string;
  readonly ipam: IpamState;
  /** Per service: when the next rolling-update batch may start (in memory; a new leader starts afresh). */
  readonly rollout: Map<string, RolloutMemory>;
}

export interface RolloutMemory {
  /** A batch was started and has not finished yet. */
  batchOpen: boolean;
  /** The next batch may start at this time (after UpdateConfig.Delay). */
  nextBatchAtMs: number;
}

export type TaskDraft = Draft<TaskObject>;

export function timeOf(pass: Pass): string {
  return pass.time;
}

/**
 * Canonical JSON of stored (deep-frozen, so never changing) specs, kept while the object lives:
 * comparing every task's spec with its service's template, canonicalised afresh, was 40 % of a pass
 * at 10,000 tasks (bench/scale/passes.mjs).
 */
const canonicalSpecs = new WeakMap<TaskSpec, string>();

function canonicalSpec(spec: TaskSpec): string {
  let text = canonicalSpecs.get(spec);
  if (text === undefined) {
    text = canonical(spec);
    if (Object.isFrozen(spec)) canonicalSpecs.set(spec, text);
  }
  return text;
}

/** swarmkit's IsTaskDirty: the task was made from another version of the service's template. */
export function isDirty(service: Pick<ServiceObject, 'Spec'>, task: Pick<TaskObject, 'Spec'>): boolean {
  return task.Spec !== service.Spec.TaskTemplate && canonicalSpec(task.Spec) !== canonicalSpec(service.Spec.TaskTemplate);
}

/** A node that cannot run anything: gone from the store, or marked down by the dispatcher. */
export function nodeIsDown(node: NodeObject | undefined): boolean {
  return node === undefined || node.Status.State === 'down';
}

/** States after which a restart policy decides whether to replace the task (a stop on request is not one). */
export const ENDED_BADLY: readonly TaskState[] = ['complete', 'failed', 'rejected', 'orphaned'];
