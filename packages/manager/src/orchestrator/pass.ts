// Everything one orchestration pass reads and decides with: the store view, the plan it fills, the
// time, fresh IDs, and the addresses in use. No clock or randomness of its own: passes are replayable.
import type { IpamState } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { Draft, NodeObject, ServiceObject, TaskObject, TaskSpec, TaskState } from '../store/objects.js';
import { canonical } from '../tasks/spec.js';
import type { Plan } from './plan.js';
import type { Pacer } from './steps.js';

export interface Pass {
  readonly view: StoreView;
  readonly plan: Plan;
  readonly nowMs: number;
  /** nowMs as RFC 3339, made once per pass (every new task and status carries it). */
  readonly time: string;
  readonly newId: () => string;
  /** Derived from the view when first needed (a pass that allocates nothing does not pay for it). */
  readonly ipam: () => IpamState;
  readonly pace: Pacer;
  /** Per service: when the next rolling-update batch may start (in memory; a new leader starts afresh). */
  readonly rollout: Map<string, RolloutMemory>;
}

export interface RolloutMemory {
  /** A batch was started and has not finished yet. */
  batchOpen: boolean;
  /** The next batch may start at this time (after UpdateConfig.Delay). */
  nextBatchAtMs: number;
  /** Since when every slot runs the new template with nothing in flight; undefined while work remains. */
  settledAtMs?: number | undefined;
}

export type TaskDraft = Draft<TaskObject>;

export function timeOf(pass: Pass): string {
  return pass.time;
}

/**
 * JSON and canonical JSON of stored (deep-frozen, so never changing) specs, kept while the object
 * lives: comparing every task's spec with its service's template, canonicalised afresh, was 40 % of
 * a pass at 10,000 tasks (bench/scale/passes.mjs). A task's spec is a new object after each status
 * report (decoded from its Raft entry), so plain JSON, in the key order the template was stored
 * with, settles the common case before the sorted form is needed.
 */
const specTexts = new WeakMap<TaskSpec, { readonly plain: string; canonical?: string }>();

function specText(spec: TaskSpec): { readonly plain: string; canonical?: string } {
  let text = specTexts.get(spec);
  if (text === undefined) {
    text = { plain: JSON.stringify(spec) };
    if (Object.isFrozen(spec)) specTexts.set(spec, text);
  }
  return text;
}

function canonicalSpec(spec: TaskSpec): string {
  const text = specText(spec);
  return (text.canonical ??= canonical(spec));
}

/** swarmkit's IsTaskDirty: the task was made from another version of the service's template. */
export function isDirty(service: Pick<ServiceObject, 'Spec'>, task: Pick<TaskObject, 'Spec'>): boolean {
  const template = service.Spec.TaskTemplate;
  if (task.Spec === template || specText(task.Spec).plain === specText(template).plain) return false;
  return canonicalSpec(task.Spec) !== canonicalSpec(template);
}

/** A node that cannot run anything: gone from the store, or marked down by the dispatcher. */
export function nodeIsDown(node: NodeObject | undefined): boolean {
  return node === undefined || node.Status.State === 'down';
}

/** States after which a restart policy decides whether to replace the task (a stop on request is not one). */
export const ENDED_BADLY: readonly TaskState[] = ['complete', 'failed', 'rejected', 'orphaned'];
