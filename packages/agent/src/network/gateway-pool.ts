// Addresses on the gateway bridge, handed out locally (the bridge is the node's own, as dockerd's
// docker_gwbridge is): the lowest free address after the gateway's neighbours, never the network,
// gateway or broadcast address.
import { NetworkError } from './errors.js';
import { formatIPv4, parseIPv4, type Cidr } from './ipv4.js';

export function allocateGatewayAddress(cidr: Cidr, gateway: string, inUse: ReadonlySet<string>): string {
  const gw = parseIPv4(gateway);
  const last = cidr.base + 2 ** (32 - cidr.prefixLen) - 2;
  for (let n = cidr.base + 1; n <= last; n++) {
    if (n === gw) continue;
    const ip = formatIPv4(n);
    if (!inUse.has(ip)) return ip;
  }
  throw new NetworkError('exhausted', `no free address left on the gateway bridge's subnet ${formatIPv4(cidr.base)}/${cidr.prefixLen}`);
}
