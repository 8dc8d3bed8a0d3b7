// Service control operations, run on the leader: create (201 {ID}), inspect (insertDefaults), list
// (with ServiceStatus), update with version (and rollback to the previous spec), remove. Tasks are
// the orchestrator's business: these operations only change the service, and the loops react.
import type { StoreView } from '../store/memory-store.js';
import type { ServiceObject, ServiceSpec } from '../store/objects.js';
import { isLive } from '../tasks/lifecycle.js';
import { sameValue } from '../tasks/spec.js';
import { withAddressShortage } from './address-shortage.js';
import type { ControlContext } from './context.js';
import { ControlError } from './errors.js';
import { withAllocationLock } from './network-ops.js';
import type { Filters } from './node-ops.js';
import { withDefaults } from './service-defaults.js';
import { planEndpoint } from './service-endpoint.js';
import { isGlobal, normalizeServiceSpec, replicasOf } from './service-spec.js';

export const SERVICE_FILTERS = ['id', 'name', 'label', 'mode'] as const;

export interface ServiceStatus {
  readonly RunningTasks: number;
  readonly DesiredTasks: number;
  readonly CompletedTasks: number;
}

export type ServiceView = ServiceObject & { ServiceStatus?: ServiceStatus };

/** By full ID, then exact name, then unique ID prefix, like dockerd. */
export function findService(view: StoreView, ref: string): ServiceObject {
  const services = view.list('service');
  const found =
    services.find((s) => s.ID === ref) ??
    services.find((s) => s.Spec.Name === ref) ??
    (ref.length > 0 ? uniquePrefix(services, ref) : undefined);
  if (!found) throw new ControlError('not-found', `service ${ref} not found`);
  return found;
}

function uniquePrefix(services: ServiceObject[], ref: string): ServiceObject | undefined {
  const matches = services.filter((s) => s.ID.startsWith(ref));
  if (matches.length > 1) throw new ControlError('invalid-argument', `service ${ref} is ambiguous (${matches.length} matches found)`);
  return matches[0];
}

export async function createService(ctx: ControlContext, body: unknown): Promise<{ ID: string }> {
  const id = ctx.newId();
  const spec = normalizeServiceSpec(ctx.view, body, id);
  return withAllocationLock(async () => {
    if (ctx.view.findByName('service', spec.Name)) {
      throw new ControlError('conflict', `rpc error: code = AlreadyExists desc = name conflicts with an existing object: service ${spec.Name} already exists`);
    }
    const endpoint = planEndpoint(ctx.view, id, spec, undefined);
    await ctx.commit([{ op: 'create', table: 'service', object: { ID: id, Spec: spec, Endpoint: endpoint } }]);
    return { ID: id };
  });
}

export function getService(ctx: ControlContext, p: { id: string; insertDefaults?: boolean }): ServiceObject {
  const service = withAddressShortage(ctx.view, findService(ctx.view, p.id));
  if (!p.insertDefaults) return service;
  return { ...service, Spec: withDefaults(service.Spec), ...(service.PreviousSpec ? { PreviousSpec: withDefaults(service.PreviousSpec) } : {}) };
}

export function listServices(ctx: ControlContext, p: { filters?: Filters; status?: boolean }): ServiceView[] {
  const filters = p.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!(SERVICE_FILTERS as readonly string[]).includes(key)) throw new ControlError('invalid-argument', `invalid filter '${key}'`);
  }
  const any = (key: string, test: (v: string) => boolean) => !filters[key]?.length || filters[key]!.some(test);
  return ctx.view
    .list('service')
    .filter((s) => any('id', (v) => s.ID.startsWith(v)))
    .filter((s) => any('name', (v) => s.Spec.Name.startsWith(v)))
    .filter((s) => any('mode', (v) => (v === 'global' ? isGlobal(s.Spec) : v === 'replicated' ? replicasOf(s.Spec) !== undefined : false)))
    .filter((s) => (filters.label ?? []).every((expr) => labelMatches(s.Spec.Labels ?? {}, expr)))
    .sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : a.CreatedAt > b.CreatedAt ? 1 : a.ID.localeCompare(b.ID)))
    .map((s) => (p.status ? { ...s, ServiceStatus: serviceStatus(ctx.view, s) } : s));
}

function labelMatches(labels: Readonly<Record<string, string>>, expr: string): boolean {
  const eq = expr.indexOf('=');
  return eq < 0 ? expr in labels : labels[expr.slice(0, eq)] === expr.slice(eq + 1);
}

/** Running tasks on nodes that are up, against the replicas (or, global, the nodes that should run one). */
export function serviceStatus(view: StoreView, service: ServiceObject): ServiceStatus {
  const tasks = view.list('task').filter((t) => t.ServiceID === service.ID);
  const upNode = (id: string | undefined) => id !== undefined && view.get('node', id)?.Status.State !== 'down';
  const running = tasks.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running' && upNode(t.NodeID)).length;
  const replicas = replicasOf(service.Spec);
  const desired = replicas ?? tasks.filter((t) => t.DesiredState === 'running' && isLive(t.Status.State) && upNode(t.NodeID)).length;
  return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: 0 };
}

export interface ServiceUpdateRequest {
  readonly id: string;
  readonly version: number;
  readonly spec: unknown;
  /** "previous" rolls back to PreviousSpec (the CLI's `service rollback` / `update --rollback`). */
  readonly rollback?: string;
}

export async function updateService(ctx: ControlContext, p: ServiceUpdateRequest): Promise<{ Warnings: null }> {
  const current = findService(ctx.view, p.id);
  if (!Number.isInteger(p.version)) throw new ControlError('invalid-argument', 'invalid service version');
  let spec: ServiceSpec;
  let previous: ServiceSpec | undefined;
  let updateStatus: ServiceObject['UpdateStatus'];
  if (p.rollback === 'previous') {
    if (!current.PreviousSpec) {
      throw new ControlError('failed-precondition', `rpc error: code = FailedPrecondition desc = service ${current.ID} does not have a previous spec`);
    }
    spec = current.PreviousSpec;
    previous = current.Spec;
    updateStatus = { State: 'rollback_started', StartedAt: ctx.now(), Message: 'manually requested rollback' };
  } else {
    spec = normalizeServiceSpec(ctx.view, p.spec, current.ID);
    if (spec.Name !== current.Spec.Name) throw new ControlError('not-implemented', 'rpc error: code = Unimplemented desc = renaming services is not supported');
    previous = sameValue(spec, current.Spec) ? current.PreviousSpec : current.Spec;
    // swarmkit resets UpdateStatus on every update; the rollout starts when the task template changed.
    updateStatus = sameValue(spec.TaskTemplate, current.Spec.TaskTemplate) ? undefined : { State: 'updating', StartedAt: ctx.now(), Message: 'update in progress' };
  }
  if ((replicasOf(spec) === undefined) !== (replicasOf(current.Spec) === undefined)) {
    throw new ControlError('invalid-argument', 'rpc error: code = Unimplemented desc = service mode change is not allowed');
  }
  await withAllocationLock(async () => {
    const endpoint = planEndpoint(ctx.view, current.ID, spec, current.Endpoint);
    const { UpdateStatus: _old, PreviousSpec: _prev, ...rest } = current;
    await ctx.commit([
      {
        op: 'update',
        table: 'service',
        expectedVersion: p.version,
        object: { ...rest, Spec: spec, Endpoint: endpoint, ...(previous ? { PreviousSpec: previous } : {}), ...(updateStatus ? { UpdateStatus: updateStatus } : {}) },
      },
    ]);
  });
  return { Warnings: null };
}

export async function removeService(ctx: ControlContext, p: { id: string }): Promise<void> {
  const service = findService(ctx.view, p.id);
  await withAllocationLock(() => ctx.commit([{ op: 'delete', table: 'service', id: service.ID }]));
}
