// One node's view of the network directory: the networks it has tasks on, sent in full once and then
// as changes (endpoints and services added, changed or gone), so that a task starting anywhere costs
// each node on its network one endpoint record, not the whole network again.
import { changedRecords, type DirectoryEntry, type EndpointInfo, type NetworkDirectory, type NetworkInfo, type ServiceInfo } from './network-directory.js';

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
  /** The directory entry last sent: the same object means nothing changed in it. */
  readonly entry: DirectoryEntry;
  readonly lb: string;
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
      const lb = lbAddresses.get(id);
      if (sent?.entry === entry && sent.lb === (lb ?? '')) continue;
      // Usually the directory's delta from the entry this stream sent last; otherwise diffed here.
      const shared = sent !== undefined && entry.delta?.from === sent.entry ? entry.delta : undefined;
      const endpoints = shared?.endpoints ?? changedRecords(entry.endpoints, sent?.entry.endpoints ?? new Map<string, string>());
      const services = shared?.services ?? changedRecords(entry.services, sent?.entry.services ?? new Map<string, string>());
      const networkChanged = sent?.entry.network.text !== entry.network.text || sent.lb !== (lb ?? '');
      const nothing = endpoints.upserts.length + endpoints.removed.length + services.upserts.length + services.removed.length === 0;
      if (!networkChanged && nothing) {
        this.#sent.set(id, this.#record(entry, lb));
        continue;
      }
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

  /** Whether the node was sent one of `networks`. */
  follows(networks: ReadonlySet<string>): boolean {
    for (const id of this.#sent.keys()) if (networks.has(id)) return true;
    return false;
  }

  #record(entry: DirectoryEntry, lb: string | undefined): Sent {
    return { entry, lb: lb ?? '' };
  }
}
