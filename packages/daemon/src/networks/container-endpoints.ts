// Which swarm networks each standalone container is on (its `--network` at create, then `network
// connect` / `disconnect`), and how `docker inspect` shows them (NetworkSettings.Networks). An entry
// outlives the address: a stopped container keeps its networks without one, and gets an address on
// each again when it starts, as dockerd's containers keep their endpoint settings.
import { createHash } from 'node:crypto';
import { macFromIp } from '@shoal/agent';

export interface ContainerEndpoint {
  readonly networkId: string;
  readonly networkName: string;
  /** `network connect --alias`: extra DNS names on this network. */
  readonly aliases: readonly string[];
  /** `network connect --ip`: the address asked for, kept for every start. */
  readonly requestedIp?: string;
  /** "a.b.c.d/len" while the container holds an address on the network (running, or prepared at create). */
  readonly address?: string;
}

export class ContainerEndpoints {
  /** By container ID, then network ID, in connection order. */
  readonly #byContainer = new Map<string, Map<string, ContainerEndpoint>>();

  list(containerId: string): ContainerEndpoint[] {
    return [...(this.#byContainer.get(containerId)?.values() ?? [])];
  }

  get(containerId: string, networkId: string): ContainerEndpoint | undefined {
    return this.#byContainer.get(containerId)?.get(networkId);
  }

  /** Adds or replaces the container's entry for the network. */
  set(containerId: string, endpoint: ContainerEndpoint): void {
    let networks = this.#byContainer.get(containerId);
    if (networks === undefined) this.#byContainer.set(containerId, (networks = new Map()));
    networks.set(endpoint.networkId, endpoint);
  }

  remove(containerId: string, networkId: string): void {
    this.#byContainer.get(containerId)?.delete(networkId);
  }

  /** The container gave its addresses back (it stopped): the networks stay, without addresses. */
  clearAddresses(containerId: string): void {
    for (const e of this.list(containerId)) {
      const { address: _gone, ...kept } = e;
      this.set(containerId, kept);
    }
  }

  /** Any address held by the container. */
  holdsAddresses(containerId: string): boolean {
    return this.list(containerId).some((e) => e.address !== undefined);
  }

  forget(containerId: string): void {
    this.#byContainer.delete(containerId);
  }

  /** Every container's entries, as saved across daemon restarts. */
  toJSON(): Record<string, ContainerEndpoint[]> {
    return Object.fromEntries([...this.#byContainer.keys()].map((id) => [id, this.list(id)]));
  }
}

/** dockerd's endpoint IDs are 64 hex characters; ours are derived, so the same attachment shows the same ID. */
export function endpointId(containerId: string, networkId: string): string {
  return createHash('sha256').update(`${containerId}/endpoint/${networkId}`).digest('hex');
}

/** NetworkSettings.Networks[name] as dockerd 20.10 shows a swarm network's endpoint (see the traces). */
export function endpointSettings(containerId: string, e: ContainerEndpoint): Record<string, unknown> {
  const [ip = '', len] = e.address?.split('/') ?? [];
  const ipam = ip !== '' ? ip : e.requestedIp;
  return {
    IPAMConfig: ipam === undefined ? null : { IPv4Address: ipam },
    Links: null,
    Aliases: [...e.aliases, containerId.slice(0, 12)],
    NetworkID: e.networkId,
    EndpointID: e.address === undefined ? '' : endpointId(containerId, e.networkId),
    Gateway: '',
    IPAddress: ip,
    IPPrefixLen: len === undefined ? 0 : Number(len),
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: ip === '' ? '' : macFromIp(ip),
    DriverOpts: null,
  };
}

/** The container's NetworkSettings.Networks. */
export function networksView(containerId: string, endpoints: readonly ContainerEndpoint[]): Record<string, unknown> {
  return Object.fromEntries(endpoints.map((e) => [e.networkName, endpointSettings(containerId, e)]));
}
