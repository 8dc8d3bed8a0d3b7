// Everything one orchestration pass reads and decides with: the store view, the plan it fills, the
// time, fresh IDs, and the addresses in use. No clock or randomness of its own: passes are replayable.
import type { IpamState } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { Draft, NodeObject, TaskObject, TaskState } from '../store/objects.js';
import type { Plan } from './plan.js';

export interface Pass {
  readonly view: StoreView;
  readonly plan: Plan;
  readonly nowMs: number;
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
  return new Date(pass.nowMs).toISOString();
}

/** A node that cannot run anything: gone from the store, or marked down by the dispatcher. */
export function nodeIsDown(node: NodeObject | undefined): boolean {
  return node === undefined || node.Status.State === 'down';
}

/** States after which a restart policy decides whether to replace the task (a stop on request is not one). */
export const ENDED_BADLY: readonly TaskState[] = ['complete', 'failed', 'rejected', 'orphaned'];
