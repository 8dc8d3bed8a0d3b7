// A sandbox's interfaces: one veth per attached network (one end on that network's br0, the other in
// the sandbox as ethN) and, when any attached network is not internal, one veth into the gateway
// bridge. The sandbox end carries an interface alias saying what it is, so a restarted agent can
// rebuild its records from the kernel alone (see readEndpoints).
import { batch, command, ipJson, tryCommand } from './command.js';
import { BRIDGE } from './overlay-netns.js';
import { macFromIp } from './ipv4.js';

/** A sandbox interface on an overlay network. */
export interface NetworkEndpoint {
  readonly kind: 'network';
  readonly networkId: string;
  readonly ifname: string;
  readonly ip: string;
  readonly prefixLen: number;
  readonly mac: string;
  readonly internal: boolean;
}

/** The sandbox's interface on the gateway bridge (its way out, and its default route). */
export interface GatewayEndpoint {
  readonly kind: 'gateway';
  readonly ifname: string;
  readonly ip: string;
}

export type Endpoint = NetworkEndpoint | GatewayEndpoint;

function aliasOf(e: Endpoint): string {
  return e.kind === 'gateway' ? 'shoal-gateway' : `shoal-network ${e.networkId} ${e.internal ? 'internal' : 'external'}`;
}

/** Configures the sandbox end of a veth that was created straight into the sandbox. */
async function configureSandboxEnd(sandbox: string, e: Endpoint, prefixLen: number, mtu: number): Promise<void> {
  await batch('ip', [
    `link set dev ${e.ifname} mtu ${mtu}`,
    `link set dev ${e.ifname} alias "${aliasOf(e)}"`,
    `addr add ${e.ip}/${prefixLen} dev ${e.ifname}`,
    `link set dev ${e.ifname} up`,
  ], { netns: sandbox });
}

export interface NetworkLinkOptions {
  readonly sandbox: string;
  readonly networkNetns: string;
  /** Name of the bridge-side end in the network's namespace (unique there). */
  readonly bridgePort: string;
  readonly mtu: number;
}

export async function addNetworkEndpoint(o: NetworkLinkOptions, e: NetworkEndpoint): Promise<void> {
  const netns = o.networkNetns;
  await tryCommand(['ip', 'link', 'del', o.bridgePort], { netns }); // left by a failed attempt
  await command([
    'ip', 'link', 'add', o.bridgePort, 'mtu', String(o.mtu), 'type', 'veth',
    'peer', 'name', e.ifname, 'address', e.mac, 'mtu', String(o.mtu), 'netns', o.sandbox,
  ], { netns });
  try {
    await command(['ip', 'link', 'set', o.bridgePort, 'master', BRIDGE, 'up'], { netns });
    await configureSandboxEnd(o.sandbox, e, e.prefixLen, o.mtu);
  } catch (err) {
    await tryCommand(['ip', 'link', 'del', o.bridgePort], { netns }); // takes the sandbox end with it
    throw err;
  }
}

/** Deleting the bridge-side end deletes the pair at once, so the address is free when this returns. */
export async function removeNetworkEndpoint(networkNetns: string, bridgePort: string): Promise<void> {
  await tryCommand(['ip', 'link', 'del', bridgePort], { netns: networkNetns });
}

export interface GatewayLinkOptions {
  readonly sandbox: string;
  readonly bridge: string;
  /** Name of the host-side end in the node's namespace. */
  readonly hostPort: string;
  readonly prefixLen: number;
  readonly gateway: string;
}

/** Gateway bridges keep the ordinary Ethernet MTU: their traffic is not encapsulated. */
const GATEWAY_MTU = 1500;

export async function addGatewayEndpoint(o: GatewayLinkOptions, e: GatewayEndpoint): Promise<void> {
  await tryCommand(['ip', 'link', 'del', o.hostPort]);
  // The MAC follows the address, as on the overlays (and as dockerd's bridge driver does): a gateway
  // address given again to a new sandbox must not meet the node's neighbour entry for the old one's
  // MAC, which dropped traffic published to the new container for as long as that entry lived.
  await command(['ip', 'link', 'add', o.hostPort, 'type', 'veth', 'peer', 'name', e.ifname, 'address', macFromIp(e.ip), 'netns', o.sandbox]);
  try {
    await command(['ip', 'link', 'set', o.hostPort, 'master', o.bridge]);
    await command(['bridge', 'link', 'set', 'dev', o.hostPort, 'isolated', 'on']);
    await command(['ip', 'link', 'set', o.hostPort, 'up']);
    await configureSandboxEnd(o.sandbox, e, o.prefixLen, GATEWAY_MTU);
    await command(['ip', 'route', 'replace', 'default', 'via', o.gateway, 'dev', e.ifname], { netns: o.sandbox });
  } catch (err) {
    await tryCommand(['ip', 'link', 'del', o.hostPort]);
    throw err;
  }
}

export async function removeGatewayEndpoint(hostPort: string): Promise<void> {
  await tryCommand(['ip', 'link', 'del', hostPort]);
}

interface AddrJson {
  ifname: string;
  address?: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** The endpoints a sandbox has, read back from the aliases of its interfaces. */
export async function readEndpoints(sandbox: string): Promise<Endpoint[]> {
  // `ip addr` omits aliases and `ip link` addresses: two listings, joined by name.
  const aliases = new Map(
    (await ipJson<{ ifname: string; ifalias?: string }>(['link', 'show'], { netns: sandbox })).map((l) => [l.ifname, l.ifalias ?? '']),
  );
  const links = await ipJson<AddrJson>(['addr', 'show'], { netns: sandbox });
  const endpoints: Endpoint[] = [];
  for (const l of links) {
    const v4 = l.addr_info?.find((a) => a.family === 'inet');
    const words = (aliases.get(l.ifname) ?? '').split(' ');
    if (v4 === undefined) continue;
    if (words[0] === 'shoal-gateway') endpoints.push({ kind: 'gateway', ifname: l.ifname, ip: v4.local });
    if (words[0] === 'shoal-network' && words[1] !== undefined) {
      endpoints.push({
        kind: 'network', networkId: words[1], ifname: l.ifname, ip: v4.local, prefixLen: v4.prefixlen,
        mac: (l.address ?? '').toLowerCase(), internal: words[2] === 'internal',
      });
    }
  }
  return endpoints;
}
