// Tasks the allocator could not give an address. They stay `new`, desired running (or ready), with the
// allocator's reason in Status.Err (orchestrator/task-factory.ts), and the orchestrator retries on
// later passes. swarmkit left that reason in the leader's log only (moby#37338, swarmkit#2800); here it
// also reaches `service inspect` and `network inspect`, derived from the store at each read.
import { IpamState } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { NetworkObject, ServiceObject, TaskObject } from '../store/objects.js';
import { rank } from '../tasks/lifecycle.js';
import { serviceNetworkIds } from './service-endpoint.js';

function waiting(task: TaskObject): boolean {
  return task.Status.State === 'new' && rank(task.DesiredState) <= rank('running') && task.Status.Err !== undefined && task.Status.Err !== '' && !task.NetworksAttachments?.length;
}

function describe(tasks: readonly TaskObject[]): string {
  const reasons = [...new Set(tasks.map((t) => t.Status.Err))].join('; ');
  return `${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'} waiting for an address: ${reasons}`;
}

/**
 * What `service inspect` shows while tasks of the service wait for an address: a paused update with the
 * allocator's reason, the only status with a message that the docker CLI prints (and its `service
 * create`/`update` progress stops on it with that message instead of waiting forever). An update or
 * rollback in progress keeps its own status.
 */
export function withAddressShortage(view: StoreView, service: ServiceObject): ServiceObject {
  const state = service.UpdateStatus?.State;
  if (state !== undefined && state !== 'completed') return service;
  const stuck = view.list('task').filter((t) => t.ServiceID === service.ID && waiting(t));
  if (stuck.length === 0) return service;
  return { ...service, UpdateStatus: { State: 'paused', Message: describe(stuck) } };
}

export interface SubnetStatus {
  readonly IPsInUse: number;
  readonly DynamicIPsAvailable: number;
}

/** dockerd's `Status` of `network inspect`, and, while tasks wait for one of its addresses, why. */
export interface NetworkStatus {
  readonly IPAM: { readonly Subnets: Readonly<Record<string, SubnetStatus>> };
  readonly Message?: string;
}

export function networkStatus(view: StoreView, network: NetworkObject): NetworkStatus {
  const ipam = IpamState.derive({ networks: [network], services: view.list('service'), tasks: view.list('task'), nodes: view.list('node') });
  const usage = ipam.pool(network.ID).usage();
  const status: NetworkStatus = { IPAM: { Subnets: { [network.Allocation.Subnet]: usage } } };
  if (usage.DynamicIPsAvailable > 0) return status;
  const services = new Map(view.list('service').map((s) => [s.ID, s]));
  const onNetwork = (t: TaskObject) => {
    const service = services.get(t.ServiceID);
    return service !== undefined && serviceNetworkIds(view, service.Spec, service.Endpoint?.Ports ?? []).includes(network.ID);
  };
  const stuck = view.list('task').filter((t) => waiting(t) && onNetwork(t));
  return stuck.length === 0 ? status : { ...status, Message: describe(stuck) };
}
