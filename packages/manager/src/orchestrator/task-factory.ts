// New tasks for a service's slot (or a node, for global services), attached to the service's networks
// with an address on each. An address that cannot be had (a full pool) leaves the task `new` with the
// reason in Status.Err, visible in `service ps`, and the orchestrator retries on later passes.
import { AllocatorError, allocateTaskAddresses, type IpamState } from '../allocator/index.js';
import { serviceNetworkIds } from '../control/service-endpoint.js';
import type { StoreView } from '../store/memory-store.js';
import type { Draft, NetworkObject, ServiceObject, TaskNetworkAttachment, TaskObject } from '../store/objects.js';
import { status } from '../tasks/lifecycle.js';

export interface TaskOrigin {
  readonly id: string;
  /** RFC 3339. */
  readonly time: string;
  readonly slot: number;
  /** Global services pin their task to a node at creation. */
  readonly nodeId?: string;
  /** `ready`: a stop-first replacement, prepared while its predecessor stops and started after. Default running. */
  readonly desired?: 'ready' | 'running';
}

export function newTask(service: ServiceObject, origin: TaskOrigin): Draft<TaskObject> {
  return {
    ID: origin.id,
    Labels: {},
    Spec: service.Spec.TaskTemplate,
    ServiceID: service.ID,
    Slot: origin.slot,
    ...(origin.nodeId !== undefined ? { NodeID: origin.nodeId } : {}),
    Status: status('new', origin.time, 'created'),
    DesiredState: origin.desired ?? 'running',
  };
}

/** The network as a task's attachment shows it (swarmkit's Network object in the API's shape). */
export function attachmentNetwork(network: NetworkObject): TaskNetworkAttachment['Network'] {
  const config = { Subnet: network.Allocation.Subnet, Gateway: network.Allocation.Gateway };
  return {
    ID: network.ID,
    Version: network.Version,
    CreatedAt: network.CreatedAt,
    UpdatedAt: network.UpdatedAt,
    Spec: {
      Name: network.Spec.Name,
      Labels: network.Spec.Labels,
      DriverConfiguration: { Name: network.Spec.Driver },
      ...(network.Spec.Ingress ? { Ingress: true } : {}),
      ...(network.Spec.Attachable ? { Attachable: true } : {}),
      IPAMOptions: { Driver: { Name: 'default' } },
      Scope: 'swarm',
    },
    DriverState: { Name: network.Spec.Driver, Options: { 'com.docker.network.driver.overlay.vxlanid_list': String(network.Allocation.Vni) } },
    IPAMOptions: { Driver: { Name: 'default' }, Configs: [config] },
  };
}

/**
 * Gives a `new` task its network attachments and moves it to `pending`, or records why it cannot.
 * Returns the changes to apply to the task.
 */
export function attach(view: StoreView, ipam: () => IpamState, service: ServiceObject, task: Draft<TaskObject>, time: string): Partial<Draft<TaskObject>> {
  const networkIds = serviceNetworkIds(view, service.Spec, service.Endpoint?.Ports ?? []).filter((id) => view.get('network', id));
  try {
    const addresses = networkIds.length === 0 ? [] : allocateTaskAddresses(ipam(), task.ID, networkIds);
    const attachments = addresses.map((a) => ({ Network: attachmentNetwork(view.get('network', a.NetworkID)!), Addresses: a.Addresses }));
    return { ...(attachments.length > 0 ? { NetworksAttachments: attachments } : {}), Status: status('pending', time, 'pending task scheduling') };
  } catch (err) {
    if (!(err instanceof AllocatorError)) throw err;
    return { Status: { ...task.Status, Err: err.message } };
  }
}
