// Task clean-up: tasks of removed services and scaled-down tasks are deleted once they have stopped
// (or at once when they never reached a node, or their node is down); stopped tasks beyond the
// cluster's TaskHistoryRetentionLimit per slot are deleted oldest first; a stopping task on a down
// node is orphaned, since its node will never report it.
import { isTerminal, rank, status } from '../tasks/lifecycle.js';
import { nodeIsDown, timeOf, type Pass, type TaskDraft } from './pass.js';
import type { Steps } from './steps.js';

const DEFAULT_HISTORY = 5;

export function* reap(pass: Pass): Steps<void> {
  const limit = pass.view.list('cluster')[0]?.Spec.Orchestration.TaskHistoryRetentionLimit ?? DEFAULT_HISTORY;
  const bySlot = new Map<string, TaskDraft[]>();
  for (const stored of pass.view.list('task')) {
    if (pass.pace.due()) yield;
    const task = pass.plan.task(stored.ID);
    if (!task) continue;
    const onNode = task.NodeID !== undefined && rank(task.Status.State) >= rank('assigned');
    const lost = task.NodeID !== undefined && nodeIsDown(pass.view.get('node', task.NodeID));
    const stopped = isTerminal(task.Status.State) || !onNode || lost;
    if (!pass.view.get('service', task.ServiceID)) {
      if (stopped) pass.plan.delete(task.ID);
      else pass.plan.setDesired(task.ID, 'remove');
      continue;
    }
    if (task.DesiredState === 'remove' && stopped) {
      pass.plan.delete(task.ID);
      continue;
    }
    if (rank(task.DesiredState) > rank('running') && lost && !isTerminal(task.Status.State)) {
      pass.plan.setStatus(task.ID, status('orphaned', timeOf(pass), 'task orphaned: its node is down'));
    }
    const key = `${task.ServiceID}/${task.Slot > 0 ? task.Slot : task.NodeID}`;
    const slot = bySlot.get(key);
    if (slot === undefined) bySlot.set(key, [pass.plan.task(task.ID)!]);
    else slot.push(pass.plan.task(task.ID)!);
  }
  if (limit < 0) return;
  for (const tasks of bySlot.values()) {
    if (pass.pace.due()) yield;
    const old = tasks
      .filter((t) => rank(t.DesiredState) > rank('running') && isTerminal(t.Status.State))
      .sort((a, b) => (a.CreatedAt ?? '').localeCompare(b.CreatedAt ?? ''));
    let excess = tasks.length - Math.max(limit, 1);
    for (const t of old) {
      if (excess-- <= 0) break;
      pass.plan.delete(t.ID);
    }
  }
}
