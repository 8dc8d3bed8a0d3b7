// Agents' task status reports, applied on the leader in batches: only for tasks assigned to the
// reporting node, only forward in the lifecycle (a late report of an earlier state is dropped), all
// in one transaction, retried on a concurrent change of the same tasks.
import type { ControlContext } from '../control/context.js';
import { ControlError } from '../control/errors.js';
import type { TaskObject, TaskStatus } from '../store/objects.js';
import type { Action } from '../store/transaction.js';
import { advance, isTaskState } from './lifecycle.js';

export interface StatusReport {
  readonly taskId: string;
  readonly status: TaskStatus;
}

const ATTEMPTS = 5;

export function isStatus(value: unknown): value is TaskStatus {
  const s = value as Partial<TaskStatus> | null;
  return typeof s === 'object' && s !== null && isTaskState(s.State) && typeof s.Timestamp === 'string' && typeof s.Message === 'string';
}

/** Returns how many reports changed a task. */
export async function applyStatusReports(ctx: ControlContext, p: { nodeId: string; reports: readonly StatusReport[] }): Promise<{ applied: number }> {
  for (let attempt = 1; ; attempt++) {
    const actions: Action[] = [];
    const latest = new Map<string, TaskStatus>();
    for (const report of p.reports) {
      if (!isStatus(report.status)) throw new ControlError('invalid-argument', `malformed status for task ${report.taskId}`);
      const task = ctx.view.get('task', report.taskId);
      if (!task || task.NodeID !== p.nodeId) continue;
      const next = advance(latest.get(task.ID) ?? task.Status, { ...report.status, PortStatus: (report.status as Partial<TaskStatus>).PortStatus ?? {} });
      if (next) latest.set(task.ID, next);
    }
    for (const [id, status] of latest) {
      const task = ctx.view.get('task', id)!;
      const { Version, UpdatedAt: _u, ...object } = task as TaskObject;
      actions.push({ op: 'update', table: 'task', object: { ...object, Status: status }, expectedVersion: Version.Index });
    }
    if (actions.length === 0) return { applied: 0 };
    try {
      await ctx.commit(actions);
      return { applied: actions.length };
    } catch (err) {
      const stale = err instanceof ControlError && ['conflict', 'internal', 'not-found'].includes(err.code);
      if (!stale || attempt >= ATTEMPTS) throw err;
    }
  }
}
