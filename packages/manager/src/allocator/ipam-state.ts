// The cluster's address allocations, derived from the store: every network's pool, filled with the
// addresses services, tasks and nodes carry. Built afresh from a store view (at each operation or
// when a manager becomes leader), it lets a new leader continue exactly where the last one stopped.
import type { NetworkObject } from '../store/objects.js';
import { AddressPool, holderKey, poolConfig, type Holder } from './address-pool.js';
import { AllocatorError } from './errors.js';
import { nodeAddresses, serviceAddresses, taskAddresses, type HeldAddress, type VirtualIp } from './holders.js';
import { parseIpv4, withPrefix } from './ipv4.js';

type Identified = { readonly ID: string } & object;

export interface AllocationSources {
  readonly networks: readonly NetworkObject[];
  readonly services: readonly Identified[];
  readonly tasks: readonly Identified[];
  readonly nodes: readonly Identified[];
}

/** An address in the store that could not be counted: a duplicate, or not valid on its network. */
export interface AddressConflict {
  readonly held: HeldAddress;
  /** The holder that already has it, when the conflict is a duplicate. */
  readonly heldBy?: string;
}

export class IpamState {
  readonly #pools = new Map<string, AddressPool>();
  readonly conflicts: readonly AddressConflict[];

  private constructor(networks: readonly NetworkObject[], held: readonly HeldAddress[]) {
    for (const n of networks) this.#pools.set(n.ID, new AddressPool(n.ID, n.Spec.Name, poolConfig(n.Allocation)));
    const conflicts: AddressConflict[] = [];
    for (const h of held) {
      const pool = this.#pools.get(h.networkId);
      // Attachments to a removed network hold nothing: the network's addresses went with it.
      if (!pool) continue;
      const ip = parseIpv4(h.address.split('/')[0] ?? '');
      if (ip === undefined || !pool.restore(ip, h.holder)) {
        const heldBy = ip === undefined ? undefined : pool.holderOf(ip);
        conflicts.push(heldBy === undefined ? { held: h } : { held: h, heldBy });
      }
    }
    this.conflicts = conflicts;
  }

  static derive(sources: AllocationSources): IpamState {
    const held = [
      ...sources.services.flatMap(serviceAddresses),
      ...sources.tasks.flatMap(taskAddresses),
      ...sources.nodes.flatMap(nodeAddresses),
    ];
    return new IpamState(sources.networks, held);
  }

  pool(networkId: string): AddressPool {
    const pool = this.#pools.get(networkId);
    if (!pool) throw new AllocatorError('invalid-config', `network ${networkId} not found`);
    return pool;
  }

  networkIds(): string[] {
    return [...this.#pools.keys()];
  }

  /** Allocates on a network; returns the address as stored ("a.b.c.d/len"). */
  allocate(networkId: string, holder: Holder, requested?: string): string {
    const pool = this.pool(networkId);
    let wanted: number | undefined;
    if (requested !== undefined) {
      wanted = parseIpv4(requested.split('/')[0] ?? '');
      if (wanted === undefined) throw new AllocatorError('invalid-config', `invalid address ${requested} for network ${pool.networkName}`);
    }
    return withPrefix(pool.allocate(holder, wanted), pool.config.subnet);
  }

  release(networkId: string, address: string): void {
    const ip = parseIpv4(address.split('/')[0] ?? '');
    if (ip !== undefined) this.#pools.get(networkId)?.release(ip);
  }

  /** Frees everything the holder has on every network (a task, service or node went away). */
  releaseHolder(holder: Holder): void {
    const key = holderKey(holder);
    for (const pool of this.#pools.values()) {
      for (const [ip, by] of pool.entries()) if (by === key) pool.release(ip);
    }
  }
}

/** One VIP per network for a service in endpoint mode vip; all or nothing. */
export function allocateServiceVips(state: IpamState, serviceId: string, networkIds: readonly string[]): VirtualIp[] {
  const holder: Holder = { kind: 'service', id: serviceId };
  return allOrNothing(state, networkIds, (networkId) => ({ NetworkID: networkId, Addr: state.allocate(networkId, holder) }), (v) => [v.NetworkID, v.Addr]);
}

/** One address per network for a task; `requested` maps a network ID to a static address. */
export function allocateTaskAddresses(
  state: IpamState,
  taskId: string,
  networkIds: readonly string[],
  requested: Readonly<Record<string, string>> = {},
): { readonly NetworkID: string; readonly Addresses: readonly string[] }[] {
  const holder: Holder = { kind: 'task', id: taskId };
  return allOrNothing(
    state,
    networkIds,
    (networkId) => ({ NetworkID: networkId, Addresses: [state.allocate(networkId, holder, requested[networkId])] }),
    (a) => [a.NetworkID, a.Addresses[0]!],
  );
}

/** The load-balancer address of a node on a network (one per node per network). */
export function allocateNodeLbAddress(state: IpamState, nodeId: string, networkId: string): string {
  return state.allocate(networkId, { kind: 'node', id: nodeId });
}

function allOrNothing<T>(state: IpamState, networkIds: readonly string[], take: (networkId: string) => T, addressOf: (t: T) => [string, string]): T[] {
  const done: T[] = [];
  try {
    for (const networkId of networkIds) done.push(take(networkId));
    return done;
  } catch (err) {
    for (const t of done) state.release(...addressOf(t));
    throw err;
  }
}
