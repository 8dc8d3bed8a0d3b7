// One scheduling pass: every pending task that should run gets a node (or keeps waiting with Docker's
// reason). Among the nodes that pass the filters it prefers the spread-preference group with the
// fewest tasks of the service, then nodes where the service's tasks did not fail lately (a node
// missing the image would otherwise get every replacement), then the node with the fewest tasks of
// the service, then the fewest tasks overall. Tasks that the filters and that order cannot tell apart
// (same service, placement and reservations) are placed as one group, as swarmkit does: the filters run
// once per node per group, not per task (10,000 tasks on 1,000 nodes took seconds of event loop task by
// task; bench/scale). A pass writes at most `maxWrites` tasks, oldest first, and asks to run again
// for the rest, so its synchronous work and its Raft entries stay bounded whatever the backlog. Pure:
// the same store and time give the same placement.
import { Plan } from '../orchestrator/plan.js';
import type { StoreView } from '../store/memory-store.js';
import type { NodeObject, TaskObject } from '../store/objects.js';
import { isTerminal, rank, status } from '../tasks/lifecycle.js';
import { Candidates } from './candidates.js';
import { Pipeline, type NodeInfo } from './filters.js';

/** Tasks one pass places or explains (a few transactions of MAX_ACTIONS_PER_TRANSACTION). */
export const MAX_WRITES_PER_PASS = 2000;

/** Should run: a stop-first replacement (desired `ready`) is placed like any other, then prepared before it starts. */
const wanted = (t: TaskObject): boolean => rank(t.DesiredState) <= rank('running');

export function schedule(view: StoreView, time: string, maxWrites = MAX_WRITES_PER_PASS): Plan {
  const plan = new Plan(view);
  const tasks = view.list('task');
  const pending = tasks.filter((t) => t.Status.State === 'pending' && wanted(t)).sort(oldestFirst);
  if (pending.length === 0) return plan;
  const infos = new Map(view.list('node').map((n) => [n.ID, emptyInfo(n)]));
  for (const t of tasks) {
    const placed = t.Status.State !== 'new' && t.Status.State !== 'pending';
    if (t.NodeID !== undefined && placed && !isTerminal(t.Status.State) && wanted(t)) count(infos.get(t.NodeID), t);
  }
  const failures = recentFailures(tasks, Date.parse(time));
  const pipeline = new Pipeline();
  const budget = { writes: maxWrites };
  for (const group of taskGroups(pending)) {
    if (!placeGroup(plan, time, pipeline, infos, failures, group, budget)) {
      plan.wake(Date.parse(time));
      break;
    }
  }
  return plan;
}

function oldestFirst(a: TaskObject, b: TaskObject): number {
  if (a.CreatedAt !== b.CreatedAt) return a.CreatedAt < b.CreatedAt ? -1 : 1;
  return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
}

/**
 * Pending tasks by everything placement reads (service, fixed node, placement, reservations), in the
 * order of their first task.
 */
function taskGroups(pending: readonly TaskObject[]): TaskObject[][] {
  const groups = new Map<string, TaskObject[]>();
  for (const t of pending) {
    const key = JSON.stringify([t.ServiceID, t.NodeID ?? null, t.Spec.Placement ?? null, t.Spec.Resources?.Reservations ?? null]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [t]);
    else group.push(t);
  }
  return [...groups.values()];
}

/** False when the budget ran out before the group was done. */
function placeGroup(
  plan: Plan,
  time: string,
  pipeline: Pipeline,
  infos: Map<string, NodeInfo>,
  failures: Map<string, number>,
  group: readonly TaskObject[],
  budget: { writes: number },
): boolean {
  const first = group[0]!;
  pipeline.setTask(first);
  const nodes = first.NodeID !== undefined ? [infos.get(first.NodeID)].filter((i): i is NodeInfo => i !== undefined) : [...infos.values()];
  const candidates = new Candidates(
    {
      serviceId: first.ServiceID,
      spreadOver: (first.Spec.Placement?.Preferences ?? []).flatMap((p) => (p.Spread?.SpreadDescriptor ? [p.Spread.SpreadDescriptor] : [])),
      failures: (nodeId) => failures.get(`${first.ServiceID}/${nodeId}`) ?? 0,
    },
    nodes.filter((info) => pipeline.check(info)),
  );
  for (const task of group) {
    const chosen = candidates.best();
    if (!chosen) {
      // The pipeline has counted every node against the filter that refused it, once.
      const err = pipeline.explain();
      if (task.Status.Err === err) continue;
      if (budget.writes-- <= 0) return false;
      plan.patch(task.ID, { Status: { ...task.Status, Message: 'pending task scheduling', Err: err } });
      continue;
    }
    if (budget.writes-- <= 0) return false;
    plan.patch(task.ID, { NodeID: chosen.node.ID });
    plan.setStatus(task.ID, status('assigned', time, 'scheduler assigned task to node'));
    count(chosen, task);
    candidates.placed(chosen, pipeline.check(chosen));
  }
  return true;
}

const FAILURE_MEMORY_MS = 5 * 60_000;

/** Failed or rejected tasks per service and node in the last five minutes (swarmkit's recent failures). */
function recentFailures(tasks: readonly TaskObject[], nowMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tasks) {
    if (t.NodeID === undefined || (t.Status.State !== 'failed' && t.Status.State !== 'rejected')) continue;
    if (nowMs - Date.parse(t.Status.Timestamp) > FAILURE_MEMORY_MS) continue;
    const key = `${t.ServiceID}/${t.NodeID}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function emptyInfo(node: NodeObject): NodeInfo {
  return { node, tasksByService: new Map(), liveTasks: 0, reservedNanoCpus: 0, reservedMemoryBytes: 0 };
}

function count(info: NodeInfo | undefined, task: TaskObject): void {
  if (!info) return;
  info.tasksByService.set(task.ServiceID, (info.tasksByService.get(task.ServiceID) ?? 0) + 1);
  info.liveTasks++;
  info.reservedNanoCpus += task.Spec.Resources?.Reservations?.NanoCPUs ?? 0;
  info.reservedMemoryBytes += task.Spec.Resources?.Reservations?.MemoryBytes ?? 0;
}
