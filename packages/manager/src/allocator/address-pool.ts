// The addresses of one network: who holds which, and which are never handed out (the subnet's own
// address and broadcast, the gateway, auxiliary addresses). Holders are named so that a duplicate
// can be reported with both parties.
import { AllocatorError } from './errors.js';
import { contains, formatCidr, formatIpv4, lastAddress, parseCidr, parseIpv4, type Cidr, type Ipv4 } from './ipv4.js';

/** Who holds an address: a service's VIP, a task's endpoint, a node's load-balancer endpoint. */
export interface Holder {
  readonly kind: 'service' | 'task' | 'node';
  readonly id: string;
}

export function holderKey(holder: Holder): string {
  return `${holder.kind}:${holder.id}`;
}

/** A network's allocated addressing as stored on the network object (see NetworkAllocation). */
export interface PoolSpec {
  readonly Subnet: string;
  readonly Gateway: string;
  readonly IPRange?: string;
  readonly AuxiliaryAddresses?: Readonly<Record<string, string>>;
}

export interface PoolConfig {
  readonly subnet: Cidr;
  /** Where dynamic addresses come from: the --ip-range, or the whole subnet. Always inside `subnet`. */
  readonly range: Cidr;
  readonly gateway: Ipv4;
  /** Gateway and auxiliary addresses: never handed to a holder. */
  readonly reserved: ReadonlySet<Ipv4>;
}

/** Reads a stored, already validated pool spec; a malformed one is a bug. */
export function poolConfig(spec: PoolSpec): PoolConfig {
  const subnet = parseCidr(spec.Subnet);
  const gateway = parseIpv4(spec.Gateway);
  const range = spec.IPRange ? parseCidr(spec.IPRange, false) : subnet;
  if (!subnet || gateway === undefined || !range) throw new Error(`allocator: malformed stored pool ${JSON.stringify(spec)}`);
  const reserved = new Set<Ipv4>([gateway]);
  for (const aux of Object.values(spec.AuxiliaryAddresses ?? {})) {
    const ip = parseIpv4(aux);
    if (ip !== undefined) reserved.add(ip);
  }
  return { subnet, range, gateway, reserved };
}

export class AddressPool {
  readonly networkId: string;
  readonly networkName: string;
  readonly config: PoolConfig;
  // Invariant: every key is inside config.subnet, is neither the subnet's first nor last address,
  // and is not in config.reserved.
  readonly #held = new Map<Ipv4, string>();

  constructor(networkId: string, networkName: string, config: PoolConfig) {
    this.networkId = networkId;
    this.networkName = networkName;
    this.config = config;
  }

  get heldCount(): number {
    return this.#held.size;
  }

  /**
   * dockerd's `network inspect` Status for the subnet: addresses unavailable to allocation (the
   * subnet's own and broadcast, gateway, auxiliary, held), and free addresses left in the range.
   * Counted, not enumerated: a /8 has 16 million addresses.
   */
  usage(): { readonly IPsInUse: number; readonly DynamicIPsAvailable: number } {
    const { subnet, range, reserved } = this.config;
    const edges = [subnet.base, lastAddress(subnet)];
    const unusable = new Set<Ipv4>([...edges, ...[...reserved].filter((ip) => contains(subnet, ip))]);
    const inRange = (ip: Ipv4) => contains(range, ip);
    let heldInRange = 0;
    for (const ip of this.#held.keys()) if (inRange(ip)) heldInRange++;
    const unusableInRange = [...unusable].filter(inRange).length;
    return {
      IPsInUse: unusable.size + this.#held.size,
      DynamicIPsAvailable: lastAddress(range) - range.base + 1 - unusableInRange - heldInRange,
    };
  }

  holderOf(ip: Ipv4): string | undefined {
    return this.#held.get(ip);
  }

  /** Every held address with its holder key, in address order. */
  entries(): [Ipv4, string][] {
    return [...this.#held.entries()].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Takes `requested` if given (it must be a free, usable address of the subnet), else the next free
   * address of the range after the highest one held, wrapping around: addresses are not reused right
   * after release while others are free, which keeps stale ARP and DNS entries harmless.
   */
  allocate(holder: Holder, requested?: Ipv4): Ipv4 {
    const ip = requested === undefined ? this.#nextFree() : this.#checkRequested(requested);
    this.#held.set(ip, holderKey(holder));
    return ip;
  }

  /** Records an address some object already holds (rebuilding from the store); false if it cannot be held. */
  restore(ip: Ipv4, holder: Holder): boolean {
    if (!this.#usable(ip) || this.#held.has(ip)) return false;
    this.#held.set(ip, holderKey(holder));
    return true;
  }

  /** Frees an address; releasing one that is not held is a no-op so that release can be repeated. */
  release(ip: Ipv4): void {
    this.#held.delete(ip);
  }

  #usable(ip: Ipv4): boolean {
    const { subnet, reserved } = this.config;
    return contains(subnet, ip) && ip !== subnet.base && ip !== lastAddress(subnet) && !reserved.has(ip);
  }

  #checkRequested(ip: Ipv4): Ipv4 {
    const shown = formatIpv4(ip);
    if (!contains(this.config.subnet, ip)) {
      throw new AllocatorError('invalid-config', `address ${shown} is not in subnet ${formatCidr(this.config.subnet)} of network ${this.networkName}`);
    }
    if (!this.#usable(ip) || this.#held.has(ip)) {
      throw new AllocatorError('in-use', `address ${shown} is already in use on network ${this.networkName}`);
    }
    return ip;
  }

  #nextFree(): Ipv4 {
    const { range } = this.config;
    const first = range.base;
    const last = lastAddress(range);
    let highest = first - 1;
    for (const ip of this.#held.keys()) if (ip >= first && ip <= last && ip > highest) highest = ip;
    const count = last - first + 1;
    for (let step = 1; step <= count; step++) {
      const ip = first + ((highest - first + step) % count);
      if (this.#usable(ip) && !this.#held.has(ip)) return ip;
    }
    throw new AllocatorError(
      'exhausted',
      `could not find an available IP address on network ${this.networkName} (${formatCidr(this.config.range)}): address pool exhausted`,
    );
  }
}
