// What the embedded DNS server knows: which sandbox is asking and the names on each network. The
// server only reads through `Resolver`; `ServiceDirectory` is the implementation the integrator
// fills from the store (services with their VIPs and tasks, containers, aliases), one network at a
// time, and the name rules of Docker's resolver live here:
//   <service> and its aliases     → the service's VIP on that network (task IPs with endpoint mode dnsrr)
//   tasks.<service>/tasks.<alias> → every task IP of the service on that network
//   container/task names, aliases → that endpoint's IP
import { isIP } from 'node:net';
import { NetworkSpecError } from '../lb/addresses.js';

export interface Asker {
  /** Network IDs the asking sandbox is attached to, in attachment order (first match wins). */
  readonly networks: readonly string[];
  /** False when the sandbox has no way out (internal networks only): names it does not own get SERVFAIL, never forwarded. */
  readonly external: boolean;
}

export interface Addresses {
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

export interface Resolver {
  /** The sandbox whose gateway-bridge address is `sourceIp`; undefined for anyone else (refused). */
  askerFor(sourceIp: string): Asker | undefined;
  /** Addresses of `name` (lower case, no trailing dot) on `networkId`; undefined when not known there. */
  lookupName(networkId: string, name: string): Addresses | undefined;
  /** The name for `ip` on `networkId` (reverse lookup); undefined when not known there. */
  lookupAddress(networkId: string, ip: string): string | undefined;
}

export interface ServiceRecord {
  readonly name: string;
  /** Network aliases of the service on this network. */
  readonly aliases?: readonly string[];
  readonly endpointMode: 'vip' | 'dnsrr';
  /** The service's VIP on this network; required in vip mode. */
  readonly vip?: string;
  /** IPs of the service's running (healthy) tasks on this network. */
  readonly taskIps: readonly string[];
}

export interface EndpointRecord {
  /** Container name, task name (<service>.<slot>.<task id>) and aliases; the first is the PTR name. */
  readonly names: readonly string[];
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export interface NetworkRecords {
  /** The network's name, used in reverse answers (<container>.<network>, as Docker answers). */
  readonly name: string;
  readonly services: readonly ServiceRecord[];
  readonly endpoints: readonly EndpointRecord[];
}

interface NetworkIndex {
  readonly names: Map<string, { ipv4: Set<string>; ipv6: Set<string> }>;
  readonly reverse: Map<string, string>;
}

function normalise(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function buildIndex(networkId: string, records: NetworkRecords): NetworkIndex {
  const names = new Map<string, { ipv4: Set<string>; ipv6: Set<string> }>();
  const reverse = new Map<string, string>();
  const add = (name: string, ip: string): void => {
    const family = isIP(ip);
    if (family === 0) throw new NetworkSpecError(`network ${networkId}: "${ip}" (for ${name}) is not an IP address`);
    const key = normalise(name);
    const entry = names.get(key) ?? { ipv4: new Set<string>(), ipv6: new Set<string>() };
    (family === 4 ? entry.ipv4 : entry.ipv6).add(ip);
    names.set(key, entry);
  };
  for (const svc of records.services) {
    if (svc.endpointMode === 'vip' && svc.vip === undefined) {
      throw new NetworkSpecError(`network ${networkId}: service ${svc.name} is in vip mode but has no VIP`);
    }
    const direct = svc.endpointMode === 'vip' ? [svc.vip!] : svc.taskIps;
    for (const name of [svc.name, ...(svc.aliases ?? [])]) {
      for (const ip of direct) add(name, ip);
      for (const ip of svc.taskIps) add(`tasks.${name}`, ip);
    }
    if (svc.vip !== undefined) reverse.set(svc.vip, `${svc.name}.${records.name}`);
  }
  for (const ep of records.endpoints) {
    for (const name of ep.names) {
      if (ep.ipv4) add(name, ep.ipv4);
      if (ep.ipv6) add(name, ep.ipv6);
    }
    const first = ep.names[0];
    if (first !== undefined) {
      if (ep.ipv4) reverse.set(ep.ipv4, `${first}.${records.name}`);
      if (ep.ipv6) reverse.set(ep.ipv6, `${first}.${records.name}`);
    }
  }
  return { names, reverse };
}

export class ServiceDirectory implements Resolver {
  private readonly networks = new Map<string, NetworkIndex>();
  private readonly sandboxes = new Map<string, Asker>();

  /** Replaces everything known about one network (a snapshot, so no update can leave a stale name). */
  setNetwork(networkId: string, records: NetworkRecords): void {
    this.networks.set(networkId, buildIndex(networkId, records));
  }

  removeNetwork(networkId: string): void {
    this.networks.delete(networkId);
  }

  /** Registers a sandbox by the address its DNS queries come from (its gateway-bridge address). */
  setSandbox(sourceIp: string, asker: Asker): () => void {
    this.sandboxes.set(sourceIp, asker);
    return () => {
      if (this.sandboxes.get(sourceIp) === asker) this.sandboxes.delete(sourceIp);
    };
  }

  askerFor(sourceIp: string): Asker | undefined {
    return this.sandboxes.get(sourceIp);
  }

  lookupName(networkId: string, name: string): Addresses | undefined {
    const entry = this.networks.get(networkId)?.names.get(normalise(name));
    return entry && { ipv4: [...entry.ipv4], ipv6: [...entry.ipv6] };
  }

  lookupAddress(networkId: string, ip: string): string | undefined {
    return this.networks.get(networkId)?.reverse.get(ip);
  }
}
