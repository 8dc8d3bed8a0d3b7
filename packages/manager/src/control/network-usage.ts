// Who uses a network, read from services, tasks and nodes in their Engine API shapes: a service names it
// in Spec.TaskTemplate.Networks (or the older Spec.Networks); a live task is attached to it; a running
// standalone container holds an address on it in its node's Attachments. The ingress network is used
// by every service that publishes a port in ingress mode.
import type { StoreView } from '../store/memory-store.js';
import type { NetworkObject } from '../store/objects.js';

type Loose = Record<string, unknown>;

// Docker's task states in lifecycle order; anything after `running` no longer holds its network.
const TASK_STATES = ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'];

export type NetworkUser = { readonly kind: 'service' | 'task'; readonly id: string };

function list(value: unknown): Loose[] {
  return Array.isArray(value) ? value.filter((v): v is Loose => typeof v === 'object' && v !== null) : [];
}

function targets(spec: Loose | undefined): string[] {
  const template = spec?.TaskTemplate as Loose | undefined;
  return [...list(template?.Networks), ...list(spec?.Networks)].flatMap((n) => (typeof n.Target === 'string' ? [n.Target] : []));
}

function refersTo(network: NetworkObject, target: string): boolean {
  return target === network.ID || target === network.Spec.Name;
}

function taskIsLive(task: Loose): boolean {
  const state = (task.Status as Loose | undefined)?.State;
  const desired = task.DesiredState;
  const live = (s: unknown) => typeof s !== 'string' || TASK_STATES.includes(s);
  return live(state) && live(desired);
}

function publishesIngressPort(service: Loose): boolean {
  const spec = service.Spec as Loose | undefined;
  const ports = [...list((spec?.EndpointSpec as Loose | undefined)?.Ports), ...list((service.Endpoint as Loose | undefined)?.Ports)];
  return ports.some((p) => p.PublishMode === undefined || p.PublishMode === 'ingress');
}

/** The first service or live task that uses the network, or undefined when it is free to remove. */
export function networkUser(view: StoreView, network: NetworkObject): NetworkUser | undefined {
  for (const service of view.list('service') as unknown as Loose[]) {
    if (targets(service.Spec as Loose).some((t) => refersTo(network, t))) return { kind: 'service', id: String(service.ID) };
  }
  for (const task of view.list('task') as unknown as Loose[]) {
    if (!taskIsLive(task)) continue;
    const attached = list(task.NetworksAttachments).some((a) => (a.Network as Loose | undefined)?.ID === network.ID);
    if (attached || targets(task.Spec as Loose).some((t) => refersTo(network, t))) return { kind: 'task', id: String(task.ID) };
  }
  return containerUser(view, network);
}

/**
 * A standalone container attached to the network on any node, Down ones included (its container may
 * still run there). swarmkit records it as a network-attachment task and names that task, whose ID
 * no docker command shows; shoal keeps no such task and names the container in Docker's sentence.
 */
function containerUser(view: StoreView, network: NetworkObject): NetworkUser | undefined {
  for (const node of view.list('node')) {
    const held = list((node as unknown as Loose).Attachments).find((a) => typeof a.ContainerID === 'string' && (a.Network as Loose | undefined)?.ID === network.ID);
    if (held) return { kind: 'task', id: String(held.ContainerID) };
  }
  return undefined;
}

/** A service that publishes a port through the routing mesh, which needs the ingress network. */
export function ingressDependent(view: StoreView): string | undefined {
  const service = (view.list('service') as unknown as Loose[]).find(publishesIngressPort);
  return service === undefined ? undefined : String(service.ID);
}
