// Allocation for a new network: checks the requested IPAM settings and picks the VNI, subnet and
// gateway, given every live network. Pure: the same inputs give the same allocation on any leader.
import type { IpamConfigRequest, NetworkAllocation, NetworkObject } from '../store/objects.js';
import { AllocatorError } from './errors.js';
import { contains, formatCidr, formatIpv4, lastAddress, parseCidr, parseIpv4, type Cidr } from './ipv4.js';
import { allocateSubnet, assertSubnetFree, type AddressPools, type TakenSubnet } from './subnets.js';
import { allocateVni } from './vni.js';

export interface NetworkPlanRequest {
  readonly name: string;
  /** At most one pool; none means "take a subnet from the default pools". */
  readonly ipam: readonly IpamConfigRequest[];
  /** From --opt com.docker.network.driver.overlay.vxlanid_list. */
  readonly requestedVni?: number;
}

/** Smallest subnet that holds a gateway and at least one more address besides network and broadcast. */
const LONGEST_PREFIX = 30;

export function planNetworkAllocation(request: NetworkPlanRequest, live: readonly NetworkObject[], pools: AddressPools): NetworkAllocation {
  const { name } = request;
  if (request.ipam.length > 1) {
    throw new AllocatorError('invalid-config', `network ${name}: only one IPv4 subnet per network is supported, got ${request.ipam.length}`);
  }
  const taken: TakenSubnet[] = live.map((n) => ({ subnet: parseCidr(n.Allocation.Subnet)!, networkName: n.Spec.Name }));
  const vni = allocateVni(new Set(live.map((n) => n.Allocation.Vni)), name, request.requestedVni);
  const config = request.ipam[0] ?? {};
  if (config.Subnet === undefined || config.Subnet === '') {
    if (config.Gateway || config.IPRange || Object.keys(config.AuxiliaryAddresses ?? {}).length > 0) {
      throw new AllocatorError('invalid-config', `network ${name}: a gateway, ip-range or auxiliary address needs a subnet`);
    }
    const subnet = allocateSubnet(pools, taken, name);
    return { Vni: vni, Subnet: formatCidr(subnet), Gateway: formatIpv4(subnet.base + 1) };
  }
  const subnet = parseSubnet(config.Subnet, name);
  assertSubnetFree(subnet, taken, name);
  const gateway = config.Gateway ? addressIn(subnet, config.Gateway, 'gateway', name) : formatIpv4(subnet.base + 1);
  const allocation: NetworkAllocation = { Vni: vni, Subnet: formatCidr(subnet), Gateway: gateway };
  const range = config.IPRange ? parseRange(subnet, config.IPRange) : undefined;
  const aux = auxiliaryAddresses(subnet, gateway, config.AuxiliaryAddresses ?? {}, name);
  return {
    ...allocation,
    ...(range ? { IPRange: range } : {}),
    ...(Object.keys(aux).length > 0 ? { AuxiliaryAddresses: aux } : {}),
  };
}

function parseSubnet(text: string, name: string): Cidr {
  const loose = parseCidr(text, false);
  if (!loose) throw new AllocatorError('invalid-config', `ipam configuration: invalid subnet ${text}`);
  if (!parseCidr(text)) throw new AllocatorError('invalid-config', `invalid subnet ${text}: it should be ${formatCidr(loose)}`);
  if (loose.prefixLength > LONGEST_PREFIX) {
    throw new AllocatorError('invalid-config', `subnet ${text} of network ${name} is too small: the prefix must be /${LONGEST_PREFIX} or shorter`);
  }
  return loose;
}

function parseRange(subnet: Cidr, text: string): string {
  const range = parseCidr(text);
  if (!range) throw new AllocatorError('invalid-config', `ipam configuration: invalid range ${text}`);
  if (!contains(subnet, range.base) || !contains(subnet, lastAddress(range))) {
    throw new AllocatorError('invalid-config', `ipam configuration: subnet ${formatCidr(subnet)} does not contain range ${text}`);
  }
  return formatCidr(range);
}

/** A usable host address of the subnet: inside it, and neither its network nor broadcast address. */
function addressIn(subnet: Cidr, text: string, what: 'gateway' | 'auxiliary address', name: string): string {
  const ip = parseIpv4(text);
  if (ip === undefined) throw new AllocatorError('invalid-config', `ipam configuration: invalid ${what} ${text}`);
  if (!contains(subnet, ip)) {
    throw new AllocatorError('invalid-config', `ipam configuration: subnet ${formatCidr(subnet)} does not contain ${what} ${text}`);
  }
  if (ip === subnet.base || ip === lastAddress(subnet)) {
    throw new AllocatorError('invalid-config', `${what} ${text} of network ${name} is the network or broadcast address of ${formatCidr(subnet)}`);
  }
  return formatIpv4(ip);
}

function auxiliaryAddresses(subnet: Cidr, gateway: string, given: Readonly<Record<string, string>>, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>([gateway]);
  for (const key of Object.keys(given).sort()) {
    const ip = addressIn(subnet, given[key]!, 'auxiliary address', name);
    if (seen.has(ip)) throw new AllocatorError('in-use', `auxiliary address ${key}=${ip} of network ${name} is already reserved`);
    seen.add(ip);
    out[key] = ip;
  }
  return out;
}
