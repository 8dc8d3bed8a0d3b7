// The agent's copy of the managers' network directory, for the networks this node has tasks on:
// rebuilt by a full message, patched by incremental ones. apply() says which networks changed, so the
// data plane reprograms only those.
import type { EndpointInfo, NetworkChange, NetworkInfo, ServiceInfo } from './types.js';

export interface NetworkRecord {
  readonly info: NetworkInfo;
  /** This node's load-balancer address on the network ("a.b.c.d/len"), if the managers gave it one. */
  readonly lb: string | undefined;
  readonly endpoints: ReadonlyMap<string, EndpointInfo>;
  readonly services: ReadonlyMap<string, ServiceInfo>;
}

interface MutableRecord {
  info: NetworkInfo;
  lb: string | undefined;
  readonly endpoints: Map<string, EndpointInfo>;
  readonly services: Map<string, ServiceInfo>;
}

export interface DirectoryDelta {
  /** Networks added or changed. */
  readonly changed: readonly string[];
  /** Networks no longer known. */
  readonly removed: readonly string[];
}

export class NetworkDirectoryMirror {
  readonly #networks = new Map<string, MutableRecord>();

  apply(kind: 'full' | 'incremental', networks: readonly NetworkChange[], removedNetworks: readonly string[]): DirectoryDelta {
    const removed = new Set(removedNetworks);
    if (kind === 'full') {
      const incoming = new Set(networks.map((n) => n.Network.ID));
      for (const id of this.#networks.keys()) if (!incoming.has(id)) removed.add(id);
      for (const n of networks) this.#networks.delete(n.Network.ID);
    }
    for (const id of removed) this.#networks.delete(id);
    for (const n of networks) {
      let record = this.#networks.get(n.Network.ID);
      if (record === undefined) {
        record = { info: n.Network, lb: undefined, endpoints: new Map(), services: new Map() };
        this.#networks.set(n.Network.ID, record);
      }
      record.info = n.Network;
      record.lb = n.LoadBalancer;
      for (const id of n.RemovedEndpoints) record.endpoints.delete(id);
      for (const e of n.Endpoints) record.endpoints.set(e.ID, e);
      for (const id of n.RemovedServices) record.services.delete(id);
      for (const s of n.Services) record.services.set(s.ID, s);
    }
    return { changed: networks.map((n) => n.Network.ID), removed: [...removed] };
  }

  get(networkId: string): NetworkRecord | undefined {
    return this.#networks.get(networkId);
  }

  list(): NetworkRecord[] {
    return [...this.#networks.values()];
  }
}
