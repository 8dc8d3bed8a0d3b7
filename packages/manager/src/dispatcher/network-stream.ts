// One node's view of the network directory: the networks it has tasks on, sent in full once and then
// as changes (endpoints and services added, changed or gone), so that a task starting anywhere costs
// each node on its network one endpoint record, not the whole network again.
import type { DirectoryEntry, EndpointInfo, Keyed, NetworkDirectory, NetworkInfo, ServiceInfo } from './network-directory.js';

export interface NetworkChange {
  readonly Network: NetworkInfo;
  /** Full: every endpoint. Incremental: new or changed ones. */
  readonly Endpoints: readonly EndpointInfo[];
  /** Incremental only: IDs of endpoints gone. */
  readonly RemovedEndpoints: readonly string[];
  readonly Services: readonly ServiceInfo[];
  readonly RemovedServices: readonly string[];
  /** This node's load-balancer address on the network ("a.b.c.d/len"; the ingress network's ingress-sbox). */
  readonly LoadBalancer?: string;
}

export interface NetworkUpdate {
  readonly networks: readonly NetworkChange[];
  /** Incremental only: networks this node no longer has a task on (or that were removed). */
  readonly removedNetworks: readonly string[];
}

interface Sent {
  network: string;
  lb: string;
  endpoints: Map<string, string>;
  services: Map<string, string>;
}

function texts<T>(m: ReadonlyMap<string, Keyed<T>>): Map<string, string> {
  return new Map([...m].map(([id, k]) => [id, k.text]));
}

function changed<T>(now: ReadonlyMap<string, Keyed<T>>, sent: ReadonlyMap<string, string>): { upserts: T[]; removed: string[] } {
  const upserts: T[] = [];
  for (const [id, k] of now) if (sent.get(id) !== k.text) upserts.push(k.value);
  const removed = [...sent.keys()].filter((id) => !now.has(id));
  return { upserts, removed };
}

export class NodeNetworkTracker {
  #sent = new Map<string, Sent>();

  /**
   * Everything about `networkIds`, forgetting what was sent before. `lbAddresses`: the node's own
   * load-balancer address by network.
   */
  full(directory: NetworkDirectory, networkIds: ReadonlySet<string>, lbAddresses: ReadonlyMap<string, string> = new Map()): NetworkUpdate {
    this.#sent = new Map();
    const networks: NetworkChange[] = [];
    for (const id of networkIds) {
      const entry = directory.networks.get(id);
      if (entry === undefined) continue;
      const lb = lbAddresses.get(id);
      this.#sent.set(id, this.#record(entry, lb));
      networks.push({
        Network: entry.network.value,
        Endpoints: [...entry.endpoints.values()].map((k) => k.value),
        RemovedEndpoints: [],
        Services: [...entry.services.values()].map((k) => k.value),
        RemovedServices: [],
        ...(lb !== undefined ? { LoadBalancer: lb } : {}),
      });
    }
    return { networks, removedNetworks: [] };
  }

  /** What changed since the last call; empty lists when nothing did. */
  diff(directory: NetworkDirectory, networkIds: ReadonlySet<string>, lbAddresses: ReadonlyMap<string, string> = new Map()): NetworkUpdate {
    const networks: NetworkChange[] = [];
    for (const id of networkIds) {
      const entry = directory.networks.get(id);
      if (entry === undefined) continue;
      const sent = this.#sent.get(id);
      const endpoints = changed(entry.endpoints, sent?.endpoints ?? new Map());
      const services = changed(entry.services, sent?.services ?? new Map());
      const lb = lbAddresses.get(id);
      const networkChanged = sent?.network !== entry.network.text || sent.lb !== (lb ?? '');
      const nothing = endpoints.upserts.length + endpoints.removed.length + services.upserts.length + services.removed.length === 0;
      if (!networkChanged && nothing) continue;
      this.#sent.set(id, this.#record(entry, lb));
      networks.push({
        Network: entry.network.value,
        Endpoints: endpoints.upserts,
        RemovedEndpoints: endpoints.removed,
        Services: services.upserts,
        RemovedServices: services.removed,
        ...(lb !== undefined ? { LoadBalancer: lb } : {}),
      });
    }
    const removedNetworks = [...this.#sent.keys()].filter((id) => !networkIds.has(id) || !directory.networks.has(id));
    for (const id of removedNetworks) this.#sent.delete(id);
    return { networks, removedNetworks };
  }

  #record(entry: DirectoryEntry, lb: string | undefined): Sent {
    return { network: entry.network.text, lb: lb ?? '', endpoints: texts(entry.endpoints), services: texts(entry.services) };
  }
}
