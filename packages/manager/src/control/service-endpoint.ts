// A service's Endpoint: its published ports (ingress ports get a free port from 30000-32767 when the
// user names none, and no two services publish the same ingress port) and one virtual IP per network
// the service is on, the ingress network first when it publishes through the routing mesh. Runs under
// the allocation lock: it reads the store's addresses and then commits.
import { AllocatorError, IpamState, allocateServiceVips } from '../allocator/index.js';
import type { StoreView } from '../store/memory-store.js';
import type { PortConfig, ServiceObject, ServiceSpec } from '../store/objects.js';
import { ControlError } from './errors.js';
import { asControlError } from './network-ops.js';

const DYNAMIC_PORT_FIRST = 30000;
const DYNAMIC_PORT_LAST = 32767;

type Endpoint = NonNullable<ServiceObject['Endpoint']>;

function ingressPorts(service: ServiceObject, excludeId: string): PortConfig[] {
  if (service.ID === excludeId) return [];
  return (service.Endpoint?.Ports ?? []).filter((p) => p.PublishMode === 'ingress');
}

export function resolvePorts(view: StoreView, serviceId: string, spec: ServiceSpec): PortConfig[] {
  const taken = new Map<string, ServiceObject>();
  for (const s of view.list('service')) for (const p of ingressPorts(s, serviceId)) taken.set(`${p.Protocol}/${p.PublishedPort}`, s);
  const ports: PortConfig[] = [];
  for (const p of spec.EndpointSpec?.Ports ?? []) {
    const port: PortConfig = { ...p, Protocol: p.Protocol ?? 'tcp', PublishMode: p.PublishMode ?? 'ingress' };
    if (port.PublishMode !== 'ingress') {
      ports.push(port);
      continue;
    }
    let published = port.PublishedPort ?? 0;
    if (published === 0) {
      published = DYNAMIC_PORT_FIRST;
      while (taken.has(`${port.Protocol}/${published}`) || ports.some((q) => q.Protocol === port.Protocol && q.PublishedPort === published)) published++;
      if (published > DYNAMIC_PORT_LAST) throw new ControlError('failed-precondition', 'rpc error: code = ResourceExhausted desc = no free dynamic port for the routing mesh');
    }
    const holder = taken.get(`${port.Protocol}/${published}`);
    if (holder) {
      throw new ControlError(
        'invalid-argument',
        `rpc error: code = InvalidArgument desc = port '${published}' is already in use by service '${holder.Spec.Name}' (${holder.ID}) as an ingress port`,
      );
    }
    ports.push({ Protocol: port.Protocol, TargetPort: port.TargetPort, PublishedPort: published, PublishMode: 'ingress', ...(port.Name ? { Name: port.Name } : {}) });
  }
  return ports;
}

/** The networks a service's VIPs and tasks live on: ingress first when it publishes through the mesh. */
export function serviceNetworkIds(view: StoreView, spec: ServiceSpec, ports: readonly PortConfig[]): string[] {
  const ids = (spec.TaskTemplate.Networks ?? []).map((n) => n.Target);
  const ingress = view.list('network').find((n) => n.Spec.Ingress);
  if (ingress && ports.some((p) => p.PublishMode === 'ingress') && !ids.includes(ingress.ID)) ids.unshift(ingress.ID);
  return ids;
}

export function planEndpoint(view: StoreView, serviceId: string, spec: ServiceSpec, previous: Endpoint | undefined): Endpoint {
  const ports = resolvePorts(view, serviceId, spec);
  const endpointSpec = spec.EndpointSpec ?? { Mode: 'vip' };
  const base: Endpoint = { Spec: endpointSpec, ...(ports.length > 0 ? { Ports: ports } : {}) };
  if (endpointSpec.Mode === 'dnsrr') return base;
  const networkIds = serviceNetworkIds(view, spec, ports);
  if (networkIds.length === 0) return base;
  const kept = (previous?.VirtualIPs ?? []).filter((v) => networkIds.includes(v.NetworkID));
  const missing = networkIds.filter((id) => !kept.some((v) => v.NetworkID === id));
  const state = IpamState.derive({
    networks: view.list('network'),
    services: view.list('service').filter((s) => s.ID !== serviceId).concat(kept.length > 0 ? [{ ID: serviceId, Endpoint: { VirtualIPs: kept } } as never] : []),
    tasks: view.list('task'),
    nodes: view.list('node'),
  });
  try {
    const added = allocateServiceVips(state, serviceId, missing);
    const all = [...kept, ...added];
    return { ...base, VirtualIPs: networkIds.map((id) => all.find((v) => v.NetworkID === id)!) };
  } catch (err) {
    throw err instanceof AllocatorError ? asControlError(err) : err;
  }
}
