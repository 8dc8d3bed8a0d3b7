// Subnets for networks: carved in order from the cluster's default address pools (DefaultAddrPool,
// SubnetSize), never overlapping any live network's subnet, so a freed subnet is handed out again.
import { AllocatorError } from './errors.js';
import { cidrSize, formatCidr, lastAddress, overlaps, parseCidr, type Cidr } from './ipv4.js';

export interface TakenSubnet {
  readonly subnet: Cidr;
  /** The network holding it, for error messages. */
  readonly networkName: string;
}

export interface AddressPools {
  readonly pools: readonly Cidr[];
  /** Prefix length of each subnet carved from the pools; at least as long as every pool's. */
  readonly subnetSize: number;
}

/** Reads the cluster's pool settings; they were validated at `swarm init`, so bad ones are a bug. */
export function addressPools(pools: readonly string[], subnetSize: number): AddressPools {
  const parsed = pools.map((text) => {
    const cidr = parseCidr(text, false);
    if (!cidr || cidr.prefixLength > subnetSize) throw new Error(`allocator: invalid default address pool ${text}/${subnetSize}`);
    return cidr;
  });
  return { pools: parsed, subnetSize };
}

/** The first subnet of the pools, in pool order then address order, that overlaps no taken one. */
export function allocateSubnet(pools: AddressPools, taken: readonly TakenSubnet[], networkName: string): Cidr {
  const size = cidrSize(pools.subnetSize);
  for (const pool of pools.pools) {
    let candidate = pool.base;
    while (candidate + size - 1 <= lastAddress(pool)) {
      const probe: Cidr = { base: candidate, prefixLength: pools.subnetSize };
      const blocking = taken.filter((t) => overlaps(t.subnet, probe));
      if (blocking.length === 0) return probe;
      // Skip past every subnet in the way, to the next aligned candidate.
      const end = Math.max(...blocking.map((t) => lastAddress(t.subnet)));
      candidate = Math.ceil((end + 1) / size) * size;
    }
  }
  const shown = pools.pools.map(formatCidr).join(', ');
  throw new AllocatorError('exhausted', `could not allocate a subnet for network ${networkName}: the default address pools (${shown}) have no free /${pools.subnetSize} left`);
}

/** Refuses a requested subnet that overlaps a live network's. */
export function assertSubnetFree(subnet: Cidr, taken: readonly TakenSubnet[], networkName: string): void {
  const clash = taken.find((t) => overlaps(t.subnet, subnet));
  if (clash) {
    throw new AllocatorError(
      'in-use',
      `subnet ${formatCidr(subnet)} of network ${networkName} overlaps subnet ${formatCidr(clash.subnet)} of network ${clash.networkName}`,
    );
  }
}
