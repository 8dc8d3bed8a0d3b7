// Tasks as `service ps`, `node ps` and the CLI's convergence polling read them: GET /tasks with
// Docker's filters (including the internal `_up-to-date`), and GET /tasks/{id}.
import type { NodeObject, ServiceObject, TaskObject } from '../store/objects.js';
import { isDirty } from '../tasks/spec.js';
import type { ControlContext } from './context.js';
import { ControlError } from './errors.js';
import type { Filters } from './node-ops.js';

export const TASK_FILTERS = ['id', 'name', 'label', 'service', 'node', 'desired-state', '_up-to-date'] as const;

const DESIRED_STATES = ['running', 'shutdown', 'accepted', 'ready', 'remove'];

export function getTask(ctx: ControlContext, p: { id: string }): TaskObject {
  const task = ctx.view.get('task', p.id) ?? uniquePrefix(ctx.view.list('task'), p.id);
  if (!task) throw new ControlError('not-found', `task ${p.id} not found`);
  return task;
}

function uniquePrefix(tasks: TaskObject[], ref: string): TaskObject | undefined {
  const matches = ref.length > 0 ? tasks.filter((t) => t.ID.startsWith(ref)) : [];
  return matches.length === 1 ? matches[0] : undefined;
}

/** The name `service ps` shows and the `name` filter matches: service.slot (or service.nodeID for global). */
export function taskName(service: ServiceObject | undefined, task: TaskObject): string {
  return `${service?.Spec.Name ?? ''}.${task.Slot > 0 ? task.Slot : (task.NodeID ?? '')}`;
}

export function listTasks(ctx: ControlContext, p: { filters?: Filters }): TaskObject[] {
  const filters = p.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!(TASK_FILTERS as readonly string[]).includes(key)) throw new ControlError('invalid-argument', `invalid filter '${key}'`);
  }
  for (const state of filters['desired-state'] ?? []) {
    if (!DESIRED_STATES.includes(state)) throw new ControlError('invalid-argument', `Invalid task desired state: ${state}`);
  }
  const services = new Map(ctx.view.list('service').map((s) => [s.ID, s]));
  const serviceIds = resolveAll(filters.service, (ref) => [...services.values()].filter((s) => s.ID === ref || s.Spec.Name === ref || s.ID.startsWith(ref)).map((s) => s.ID));
  const nodeIds = resolveAll(filters.node, (ref) => ctx.view.list('node').filter((n) => nodeMatches(n, ref)).map((n) => n.ID));
  const upToDate = filters['_up-to-date']?.length ? true : false;
  const any = (key: string, test: (v: string) => boolean) => !filters[key]?.length || filters[key]!.some(test);
  // `docker node ps` on a node of a large cluster reads that node's tasks, not all of them.
  const candidates = nodeIds ? [...nodeIds].flatMap((id) => ctx.view.tasksOnNode(id)) : ctx.view.list('task');
  return candidates
    .filter((t) => !serviceIds || serviceIds.has(t.ServiceID))
    .filter((t) => any('id', (v) => t.ID.startsWith(v)))
    .filter((t) => any('name', (v) => taskName(services.get(t.ServiceID), t).startsWith(v)))
    .filter((t) => any('desired-state', (v) => t.DesiredState === v))
    .filter((t) => (filters.label ?? []).every((expr) => labelMatches(serviceLabels(services.get(t.ServiceID)), expr)))
    .filter((t) => !upToDate || isUpToDate(services.get(t.ServiceID), t))
    .sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : a.CreatedAt > b.CreatedAt ? 1 : a.ID.localeCompare(b.ID)));
}

/** `_up-to-date`: tasks made from the service's current template (what convergence polling counts). */
function isUpToDate(service: ServiceObject | undefined, task: TaskObject): boolean {
  return service !== undefined && !isDirty(service, task);
}

function nodeMatches(node: NodeObject, ref: string): boolean {
  return node.ID === ref || node.Spec.Name === ref || node.Description.Hostname === ref || node.ID.startsWith(ref);
}

function resolveAll(refs: readonly string[] | undefined, resolve: (ref: string) => string[]): Set<string> | undefined {
  if (!refs || refs.length === 0) return undefined;
  return new Set(refs.flatMap(resolve));
}

/**
 * swarmkit matches `label` against the labels of the task's service (its ServiceAnnotations), not the
 * task's own: that is how `docker stack ps` finds a stack's tasks by com.docker.stack.namespace.
 */
function serviceLabels(service: ServiceObject | undefined): Readonly<Record<string, string>> {
  return service?.Spec.Labels ?? {};
}

function labelMatches(labels: Readonly<Record<string, string>>, expr: string): boolean {
  const eq = expr.indexOf('=');
  return eq < 0 ? expr in labels : labels[expr.slice(0, eq)] === expr.slice(eq + 1);
}
