// Network control operations, run on the leader: create (allocating VNI, subnet and gateway in the
// same transaction), inspect, list, remove and prune. Allocation reads the store at each operation,
// so a new leader allocates without collisions from the first request it serves.
import { AllocatorError, addressPools, planNetworkAllocation, type AddressPools } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { ClusterObject, Draft, NetworkObject, NetworkSpec } from '../store/objects.js';
import type { ControlContext } from './context.js';
import { ControlError, type ControlErrorCode } from './errors.js';
import { normalizeNetworkRequest, type NetworkCreateRequest } from './network-spec.js';
import { ingressDependent, networkUser } from './network-usage.js';
import { filterNetworks, networkResource, resolveNetwork, type NetworkFilters, type NetworkResource } from './network-view.js';
import { verboseServices } from './network-services.js';
import { networkStatus } from './address-shortage.js';
import { clusterObject } from './swarm-ops.js';

let allocationTail: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` after every allocation this process started before it has committed (or failed).
 * Allocations read the store and then commit; two interleaved ones could pick the same subnet or
 * address. Every operation that allocates (networks here, VIPs and task addresses elsewhere) must run
 * under this lock.
 */
export function withAllocationLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = allocationTail.then(fn, fn);
  allocationTail = run.catch(() => undefined);
  return run;
}

const allocatorCodes: Record<AllocatorError['code'], ControlErrorCode> = {
  'invalid-config': 'invalid-argument',
  'in-use': 'conflict',
  exhausted: 'failed-precondition',
};

/** Turns an allocation refusal into the control error the API maps to a status. */
export function asControlError(err: unknown): unknown {
  return err instanceof AllocatorError ? new ControlError(allocatorCodes[err.code], err.message, { cause: err }) : err;
}

export function clusterPools(cluster: ClusterObject): AddressPools {
  return addressPools(cluster.DefaultAddrPool, cluster.SubnetSize);
}

/** The `ingress` network `swarm init` creates in its first transaction: first subnet of the pool, VNI 4096. */
export function ingressNetworkDraft(id: string, pools: AddressPools): Draft<NetworkObject> {
  const spec: NetworkSpec = {
    Name: 'ingress',
    Labels: {},
    Driver: 'overlay',
    Options: {},
    IPAM: { Driver: 'default', Options: {}, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: true,
  };
  return { ID: id, Spec: spec, Allocation: planNetworkAllocation({ name: 'ingress', ipam: [] }, [], pools) };
}

/**
 * Networks planned but not yet committed. Planning holds the allocation lock only long enough to pick
 * a VNI and subnet against the store plus these, so concurrent creates commit in parallel (and share
 * Raft appends) instead of queueing behind each other's commit.
 */
const pendingNetworks = new Map<string, NetworkObject>();

export async function createNetwork(ctx: ControlContext, req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
  const { spec, requestedVni } = normalizeNetworkRequest(req);
  const planned = await withAllocationLock(async () => {
    const networks = [...ctx.view.list('network'), ...pendingNetworks.values()];
    if (networks.some((n) => n.Spec.Name === spec.Name)) throw new ControlError('conflict', `network with name ${spec.Name} already exists`);
    const ingress = networks.find((n) => n.Spec.Ingress);
    if (spec.Ingress && ingress) {
      throw new ControlError('conflict', `rpc error: code = AlreadyExists desc = ingress network (${ingress.ID}) is already present`);
    }
    let allocation;
    try {
      const request = { name: spec.Name, ipam: spec.IPAM.Config, ...(requestedVni !== undefined ? { requestedVni } : {}) };
      allocation = planNetworkAllocation(request, networks, clusterPools(clusterObject(ctx)));
    } catch (err) {
      throw asControlError(err);
    }
    const network = { ID: ctx.newId(), Spec: spec, Allocation: allocation, Version: { Index: 0 }, CreatedAt: '', UpdatedAt: '' };
    pendingNetworks.set(network.ID, network);
    return network;
  });
  try {
    await ctx.commit([{ op: 'create', table: 'network', object: { ID: planned.ID, Spec: spec, Allocation: planned.Allocation } }]);
  } finally {
    pendingNetworks.delete(planned.ID);
  }
  return { Id: planned.ID, Warning: '' };
}

export function findNetwork(view: StoreView, ref: string): NetworkObject {
  const networks = view.list('network');
  const found = resolveNetwork(networks.map((n) => ({ Id: n.ID, Name: n.Spec.Name })), ref);
  return networks.find((n) => n.ID === found.Id)!;
}

export function getNetwork(ctx: ControlContext, p: { id: string; verbose?: boolean }): NetworkResource {
  const network = findNetwork(ctx.view, p.id);
  const view = { ...networkResource(network), Status: networkStatus(ctx.view, network) };
  return p.verbose ? { ...view, Services: verboseServices(ctx.view, network) } : view;
}

export function listNetworks(ctx: ControlContext, p: { filters?: NetworkFilters }): NetworkResource[] {
  const all = ctx.view
    .list('network')
    .sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : a.CreatedAt > b.CreatedAt ? 1 : a.ID.localeCompare(b.ID)))
    .map(networkResource);
  return filterNetworks(all, p.filters ?? {});
}

/** Why the network may not be removed now, in Docker's words; undefined when it may. */
function removalRefusal(view: StoreView, network: NetworkObject): string | undefined {
  const user = networkUser(view, network);
  if (user) return `rpc error: code = FailedPrecondition desc = network ${network.ID} is in use by ${user.kind} ${user.id}`;
  if (network.Spec.Ingress) {
    const service = ingressDependent(view);
    if (service) return `rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${service} depends on it`;
  }
  return undefined;
}

export async function removeNetwork(ctx: ControlContext, p: { id: string }): Promise<void> {
  return withAllocationLock(async () => {
    const network = findNetwork(ctx.view, p.id);
    const refusal = removalRefusal(ctx.view, network);
    if (refusal) throw new ControlError('failed-precondition', refusal);
    await ctx.commit([{ op: 'delete', table: 'network', id: network.ID, expectedVersion: network.Version.Index }]);
  });
}

/** `network prune`: every swarm network nothing uses, except ingress (dockerd keeps it too). */
export async function pruneNetworks(ctx: ControlContext, p: { filters?: NetworkFilters }): Promise<{ NetworksDeleted: string[] }> {
  const filters = p.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!['label', 'label!', 'until'].includes(key)) throw new ControlError('invalid-argument', `invalid filter '${key}'`);
  }
  return withAllocationLock(async () => {
    const now = ctx.now();
    const prunable = ctx.view
      .list('network')
      .filter((n) => !n.Spec.Ingress && removalRefusal(ctx.view, n) === undefined)
      .filter((n) => passesPruneFilters(networkResource(n), n.CreatedAt, filters, now))
      .sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
    if (prunable.length > 0) {
      await ctx.commit(prunable.map((n) => ({ op: 'delete' as const, table: 'network' as const, id: n.ID, expectedVersion: n.Version.Index })));
    }
    return { NetworksDeleted: prunable.map((n) => n.Spec.Name) };
  });
}

/** Whether a network created at `createdAt` passes `network prune`'s label, label! and until filters. */
export function passesPruneFilters(resource: NetworkResource, createdAt: string, filters: NetworkFilters, now: string): boolean {
  const until = untilFilter(filters.until, now);
  return (
    (until === undefined || Date.parse(createdAt) < until) &&
    filterNetworks([resource], { label: filters.label ?? [] }).length === 1 &&
    (filters['label!'] ?? []).every((expr) => filterNetworks([resource], { label: [expr] }).length === 0)
  );
}

/** `until` as dockerd reads it: a timestamp, or a duration before now ("24h", "90m", "30s"). */
function untilFilter(values: readonly string[] | undefined, now: string): number | undefined {
  const value = values?.[0];
  if (value === undefined) return undefined;
  const duration = /^(\d+)(h|m|s)$/.exec(value);
  if (duration) return Date.parse(now) - Number(duration[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[duration[2] as 'h' | 'm' | 's'];
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(seconds)) throw new ControlError('invalid-argument', `invalid filter 'until=${value}'`);
  return seconds;
}
