// Which bridge networks each container is on (its network mode at create, then `network connect` /
// `disconnect`) and, while it runs, its address and interface on each; saved under the data root so a
// restarted shoald finds the running containers' legs again. Views for `docker inspect`
// (NetworkSettings.Networks) and `network inspect` (Containers) are derived from here.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { allocateGatewayAddress, macFromIp, parseCidr, parseIPv4, cidrContains } from '@shoal/agent';
import { ForbiddenError, InvalidArgumentError } from '../../api/errors.js';
import { endpointId } from '../container-endpoints.js';
import type { BridgeNetwork } from './store.js';

export interface BridgeEndpoint {
  readonly networkId: string;
  readonly networkName: string;
  readonly aliases: readonly string[];
  /** `network connect --ip`: kept for every start. */
  readonly requestedIp?: string;
  /** While the container runs: its address on the network and the interface's name inside it. */
  readonly ip?: string;
  readonly ifname?: string;
}

export class BridgeEndpoints {
  readonly #path: string;
  /** By container ID, in connection order (the first gives the default route and the published ports). */
  readonly #byContainer = new Map<string, BridgeEndpoint[]>();

  constructor(path: string) {
    this.#path = path;
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, BridgeEndpoint[]>;
      for (const [id, list] of Object.entries(saved)) this.#byContainer.set(id, list);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  containers(): string[] {
    return [...this.#byContainer.keys()];
  }

  list(containerId: string): readonly BridgeEndpoint[] {
    return this.#byContainer.get(containerId) ?? [];
  }

  get(containerId: string, networkId: string): BridgeEndpoint | undefined {
    return this.list(containerId).find((e) => e.networkId === networkId);
  }

  /** Adds the entry at the end, or replaces the container's entry for that network in place. */
  set(containerId: string, entry: BridgeEndpoint): void {
    const list = [...this.list(containerId)];
    const at = list.findIndex((e) => e.networkId === entry.networkId);
    if (at < 0) list.push(entry);
    else list[at] = entry;
    this.#byContainer.set(containerId, list);
    this.#save();
  }

  remove(containerId: string, networkId: string): void {
    this.#byContainer.set(containerId, this.list(containerId).filter((e) => e.networkId !== networkId));
    this.#save();
  }

  forget(containerId: string): void {
    this.#byContainer.delete(containerId);
    this.#save();
  }

  /** Containers holding an address on the network, with that endpoint. */
  on(networkId: string): { containerId: string; endpoint: BridgeEndpoint }[] {
    const out: { containerId: string; endpoint: BridgeEndpoint }[] = [];
    for (const [containerId, list] of this.#byContainer) {
      const endpoint = list.find((e) => e.networkId === networkId && e.ip !== undefined);
      if (endpoint !== undefined) out.push({ containerId, endpoint });
    }
    return out;
  }

  /** An address for a new leg: the one asked for (checked), else the lowest free one after the gateway. */
  allocate(network: BridgeNetwork, requested: string | undefined): string {
    const inUse = new Set(this.on(network.id).map((x) => x.endpoint.ip!));
    const cidr = parseCidr(network.subnet);
    if (requested === undefined) return allocateGatewayAddress(cidr, network.gateway, inUse);
    let n: number;
    try {
      n = parseIPv4(requested);
    } catch {
      throw new InvalidArgumentError(`invalid IPv4 address: ${requested}`);
    }
    if (!cidrContains(cidr, n)) throw new ForbiddenError(`no configured subnet contains IP address ${requested}`);
    if (inUse.has(requested) || requested === network.gateway) throw new ForbiddenError(`Address already in use: ${requested}`);
    return requested;
  }

  #save(): void {
    writeFileSync(`${this.#path}.tmp`, JSON.stringify(Object.fromEntries(this.#byContainer)));
    renameSync(`${this.#path}.tmp`, this.#path);
  }
}

/** NetworkSettings.Networks[name] for a bridge endpoint, as dockerd shows it (aliases only on user-defined networks). */
export function bridgeEndpointSettings(containerId: string, network: BridgeNetwork | undefined, e: BridgeEndpoint): Record<string, unknown> {
  const running = e.ip !== undefined;
  const prefixLen = network === undefined ? 0 : parseCidr(network.subnet).prefixLen;
  return {
    IPAMConfig: e.requestedIp === undefined ? null : { IPv4Address: e.requestedIp },
    Links: null,
    Aliases: network?.isDefault === false ? [...e.aliases, containerId.slice(0, 12)] : null,
    NetworkID: e.networkId,
    EndpointID: running ? endpointId(containerId, e.networkId) : '',
    Gateway: running ? (network?.gateway ?? '') : '',
    IPAddress: e.ip ?? '',
    IPPrefixLen: running ? prefixLen : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: running ? macFromIp(e.ip!) : '',
    DriverOpts: null,
  };
}
