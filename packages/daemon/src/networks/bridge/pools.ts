// Addressing of local bridge networks, as dockerd's default local address pools give it: the default
// bridge takes 172.17.0.0/16; a network created without --subnet takes the first of 172.17–31.0.0/16,
// then 192.168.0–240.0/20, that overlaps no other local network (docker_gwbridge's 172.18.0.0/16
// included, which shoal always reserves). The gateway is the subnet's first address.
import { cidrContains, formatIPv4, parseCidr, parseIPv4, type Cidr } from '@shoal/agent';
import { ForbiddenError, InvalidArgumentError } from '../../api/errors.js';

export const DEFAULT_BRIDGE = { name: 'bridge', ifname: 'docker0', subnet: '172.17.0.0/16', gateway: '172.17.0.1' } as const;
export const DEFAULT_MTU = 1500;

/** Docker's default local pools, in the order it takes them. */
export function localPoolCandidates(): string[] {
  const out: string[] = [];
  for (let b = 17; b <= 31; b++) out.push(`172.${b}.0.0/16`);
  for (let c = 0; c <= 240; c += 16) out.push(`192.168.${c}.0/20`);
  return out;
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}

export interface Addressing {
  readonly subnet: string;
  readonly gateway: string;
}

/** The first pool that overlaps none of `taken`. */
export function allocateLocalSubnet(taken: readonly string[]): Addressing {
  const used = taken.map(parseCidr);
  for (const candidate of localPoolCandidates()) {
    const cidr = parseCidr(candidate);
    if (!used.some((u) => overlaps(u, cidr))) return { subnet: candidate, gateway: formatIPv4(cidr.base + 1) };
  }
  throw new ForbiddenError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

/** `--subnet [--gateway]`, checked as dockerd's IPAM does: no overlap with another local network, a gateway inside. */
export function requestedAddressing(subnet: string, gateway: string | undefined, taken: readonly string[]): Addressing {
  let cidr: Cidr;
  try {
    cidr = parseCidr(subnet);
  } catch {
    throw new InvalidArgumentError(`invalid CIDR address: ${subnet}`);
  }
  if (cidr.prefixLen > 30) throw new InvalidArgumentError(`invalid subnet ${subnet}: too small for a bridge network`);
  const canonical = `${formatIPv4(cidr.base)}/${cidr.prefixLen}`;
  if (taken.map(parseCidr).some((t) => overlaps(t, cidr))) throw new ForbiddenError('invalid pool request: Pool overlaps with other one on this address space');
  if (gateway === undefined || gateway === '') return { subnet: canonical, gateway: formatIPv4(cidr.base + 1) };
  let gw: number;
  try {
    gw = parseIPv4(gateway);
  } catch {
    throw new InvalidArgumentError(`invalid gateway address ${gateway}`);
  }
  if (!cidrContains(cidr, gw)) throw new ForbiddenError(`no matching subnet for gateway ${gateway}`);
  return { subnet: canonical, gateway };
}

/** The Linux bridge of a user-defined network: br- and the first 12 hex digits of its ID. */
export function bridgeIfname(networkId: string): string {
  return `br-${networkId.slice(0, 12)}`;
}

/** Host ends of containers' veths: veth and 7 hex digits, unique per container and network. */
export function hostIfname(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}
