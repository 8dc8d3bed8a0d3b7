// Which commits can give the orchestrator or the scheduler something to do. At scale most commits
// are agents' status reports moving tasks along assigned → accepted → … → running, which neither
// loop acts on (outside a rolling update); a pass costs O(tasks) (0.7 s of CPU at 100,000 tasks,
// bench/scale/passes.mjs), so running one per such commit kept the leader's event loop busy.
import type { Change, CommitEvent, StoreView } from '../store/memory-store.js';
import type { TaskObject } from '../store/objects.js';
import { isTerminal } from '../tasks/lifecycle.js';

/** A restored snapshot carries no changes: everything may differ. */
function restored(event: CommitEvent): boolean {
  return event.changes.length === 0;
}

/**
 * The orchestrator acts on services, nodes, networks and the cluster; on tasks that ended, should
 * stop, wait for an address, or were deleted (their addresses and slots free up); and on every task
 * of a service in a rolling update (its batches wait for new tasks to run).
 */
export function orchestratorWants(view: StoreView): (event: CommitEvent) => boolean {
  return (event) => restored(event) || event.changes.some((change) => orchestratorWantsChange(view, change));
}

function orchestratorWantsChange(view: StoreView, change: Change): boolean {
  if (change.table !== 'task' || change.kind === 'delete') return true;
  const task = change.object as TaskObject;
  if (task.Status.State === 'new' || task.DesiredState !== 'running' || isTerminal(task.Status.State)) return true;
  const service = view.get('service', task.ServiceID);
  if (service === undefined) return true;
  const update = service.UpdateStatus?.State;
  return update === 'updating' || update === 'rollback_started';
}

/** The scheduler acts on nodes and the cluster, on tasks waiting for a node, and on tasks that stop (their node has room again). */
export function schedulerWants(event: CommitEvent): boolean {
  return (
    restored(event) ||
    event.changes.some((change) => {
      if (change.table !== 'task') return change.table === 'node' || change.table === 'cluster';
      const task = change.object as TaskObject;
      return change.kind === 'delete' || task.Status.State === 'pending' || task.DesiredState !== 'running' || isTerminal(task.Status.State);
    })
  );
}
