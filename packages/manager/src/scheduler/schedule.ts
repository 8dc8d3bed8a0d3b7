// One scheduling pass: every pending task that should run gets a node (or keeps waiting with Docker's
// reason). Among the nodes that pass the filters it prefers the spread-preference group with the
// fewest tasks of the service, then nodes where the service's tasks did not fail lately (a node
// missing the image would otherwise get every replacement), then the node with the fewest tasks of
// the service, then the fewest tasks overall. Pure: the same store and time give the same placement.
import { Plan } from '../orchestrator/plan.js';
import type { StoreView } from '../store/memory-store.js';
import type { NodeObject, TaskObject } from '../store/objects.js';
import { isTerminal, status } from '../tasks/lifecycle.js';
import { Pipeline, type NodeInfo } from './filters.js';

export function schedule(view: StoreView, time: string): Plan {
  const plan = new Plan(view);
  const infos = new Map(view.list('node').map((n) => [n.ID, emptyInfo(n)]));
  for (const t of view.list('task')) {
    const placed = t.Status.State !== 'new' && t.Status.State !== 'pending';
    if (t.NodeID !== undefined && placed && !isTerminal(t.Status.State) && t.DesiredState === 'running') count(infos.get(t.NodeID), t);
  }
  const pending = view
    .list('task')
    .filter((t) => t.Status.State === 'pending' && t.DesiredState === 'running')
    .sort((a, b) => a.CreatedAt.localeCompare(b.CreatedAt) || a.ID.localeCompare(b.ID));
  const failures = recentFailures(view.list('task'), Date.parse(time));
  const pipeline = new Pipeline();
  for (const task of pending) {
    pipeline.setTask(task);
    const candidates = task.NodeID !== undefined ? [infos.get(task.NodeID)].filter((i): i is NodeInfo => i !== undefined) : [...infos.values()];
    const fits = candidates.filter((info) => pipeline.check(info));
    const chosen = choose(task, fits, (nodeId) => failures.get(`${task.ServiceID}/${nodeId}`) ?? 0);
    if (!chosen) {
      const err = pipeline.explain();
      if (task.Status.Err !== err) plan.patch(task.ID, { Status: { ...task.Status, Message: 'pending task scheduling', Err: err } });
      continue;
    }
    plan.patch(task.ID, { NodeID: chosen.node.ID });
    plan.setStatus(task.ID, status('assigned', time, 'scheduler assigned task to node'));
    count(chosen, task);
  }
  return plan;
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

function choose(task: TaskObject, fits: NodeInfo[], failed: (nodeId: string) => number): NodeInfo | undefined {
  let pool = fits;
  for (const pref of task.Spec.Placement?.Preferences ?? []) {
    const descriptor = pref.Spread?.SpreadDescriptor;
    if (!descriptor || pool.length === 0) continue;
    const groups = new Map<string, NodeInfo[]>();
    for (const info of pool) {
      const key = spreadValue(info.node, descriptor) ?? '';
      groups.set(key, [...(groups.get(key) ?? []), info]);
    }
    const load = (g: NodeInfo[]) => g.reduce((n, i) => n + (i.tasksByService.get(task.ServiceID) ?? 0), 0);
    pool = [...groups.entries()].sort(([ka, a], [kb, b]) => load(a) - load(b) || ka.localeCompare(kb))[0]![1];
  }
  const order = (a: NodeInfo, b: NodeInfo) =>
    failed(a.node.ID) - failed(b.node.ID) ||
    (a.tasksByService.get(task.ServiceID) ?? 0) - (b.tasksByService.get(task.ServiceID) ?? 0) ||
    a.liveTasks - b.liveTasks ||
    a.node.ID.localeCompare(b.node.ID);
  // The first node in that order, found in one pass: sorting the pool for every task cost
  // O(nodes log nodes) per task (bench/scale).
  let best: NodeInfo | undefined;
  for (const info of pool) if (best === undefined || order(info, best) < 0) best = info;
  return best;
}

function spreadValue(node: NodeObject, descriptor: string): string | undefined {
  if (descriptor.startsWith('node.labels.')) return node.Spec.Labels[descriptor.slice('node.labels.'.length)];
  if (descriptor.startsWith('engine.labels.')) {
    return (node.Description as { Engine?: { Labels?: Record<string, string> } }).Engine?.Labels?.[descriptor.slice('engine.labels.'.length)];
  }
  if (descriptor === 'node.id') return node.ID;
  if (descriptor === 'node.hostname') return node.Description.Hostname;
  return undefined;
}
