// One overlay network's namespace on this node, laid out as libnetwork's overlay driver does: a bridge
// `br0` carrying the network's gateway address, and a VXLAN port `vxlan0` enslaved to it. The VXLAN
// device is created in the node's namespace, so its UDP socket (data path port, local = the node's
// data-path address) stays on the underlay, and is then moved into the network's namespace.
// Learning is off and nothing is flooded: remote endpoints exist only as static FDB and neighbour
// entries (peers.ts). `proxy` makes vxlan0 answer ARP requests from those neighbour entries; without
// it an ARP request for a remote endpoint would have nowhere to go.
import { command, ipJson, tryCommand } from './command.js';
import { NetworkError } from './errors.js';
import { parseCidr, parseIPv4, cidrContains, type Cidr } from './ipv4.js';
import type { NetnsFiles } from './netns-files.js';

export const BRIDGE = 'br0';
export const VXLAN = 'vxlan0';
export const DEFAULT_OVERLAY_MTU = 1450;
/** Less ESP's expansion (SPI, sequence, IV, padding, ICV: 26 bytes) rounded down to 4, as libnetwork's maxMTU. */
export const DEFAULT_ENCRYPTED_OVERLAY_MTU = 1424;
export const DEFAULT_DATA_PATH_PORT = 4789;

export interface OverlayNetworkSpec {
  /** The swarm network ID (Docker's 25-character IDs, or any [A-Za-z0-9]+ of 10 or more). */
  readonly id: string;
  /** VXLAN network identifier, 1..2^24-1 (swarm allocates from 4096). */
  readonly vni: number;
  /** e.g. "10.0.1.0/24" */
  readonly subnet: string;
  /** e.g. "10.0.1.1"; inside `subnet`. */
  readonly gateway: string;
  /** Default 1450 (1500 less the VXLAN header); 1424 for encrypted networks (less ESP's too). */
  readonly mtu?: number;
  /** No path out of the overlay: sandboxes attached only to internal networks get no default route. */
  readonly internal?: boolean;
  /** IPsec ESP between hosts (ipsec/); refused where the kernel lacks ESP (see esp.ts). */
  readonly encrypted?: boolean;
}

/** A validated spec with every default filled in. */
export interface OverlayNetwork {
  readonly id: string;
  readonly vni: number;
  readonly subnet: Cidr;
  readonly gatewayCidr: string;
  readonly mtu: number;
  readonly internal: boolean;
  readonly encrypted: boolean;
}

export function resolveSpec(spec: OverlayNetworkSpec): OverlayNetwork {
  if (!/^[A-Za-z0-9]{10,64}$/.test(spec.id)) throw new NetworkError('invalid-argument', `invalid network ID ${JSON.stringify(spec.id)}`);
  if (!Number.isInteger(spec.vni) || spec.vni < 1 || spec.vni > 0xffffff) {
    throw new NetworkError('invalid-argument', `network ${spec.id}: VNI ${spec.vni} is outside 1..16777215`);
  }
  const mtu = spec.mtu ?? (spec.encrypted === true ? DEFAULT_ENCRYPTED_OVERLAY_MTU : DEFAULT_OVERLAY_MTU);
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65_000) throw new NetworkError('invalid-argument', `network ${spec.id}: invalid MTU ${mtu}`);
  const subnet = parseCidr(spec.subnet);
  if (!cidrContains(subnet, parseIPv4(spec.gateway))) {
    throw new NetworkError('invalid-argument', `network ${spec.id}: gateway ${spec.gateway} is outside ${spec.subnet}`);
  }
  return {
    id: spec.id,
    vni: spec.vni,
    subnet,
    gatewayCidr: `${spec.gateway}/${subnet.prefixLen}`,
    mtu,
    internal: spec.internal ?? false,
    encrypted: spec.encrypted ?? false,
  };
}

/** Docker's name for the namespace: overlay version 1, then the network ID's first 10 characters. */
export function networkNamespaceName(networkId: string): string {
  return `1-${networkId.slice(0, 10)}`;
}

/** Name of the VXLAN device while it is in the node's namespace (renamed vxlan0 once moved), as libnetwork's. */
function vxlanStagingName(network: OverlayNetwork): string {
  return `vx-${network.vni.toString(16).padStart(6, '0')}-${network.id.slice(0, 5)}`;
}

export interface Underlay {
  readonly addr: string;
  readonly port: number;
}

interface LinkJson {
  ifname: string;
  mtu?: number;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number } };
}

async function linksIn(netns: string): Promise<Map<string, LinkJson>> {
  const links = await ipJson<LinkJson>(['-d', 'link', 'show'], { netns });
  return new Map(links.map((l) => [l.ifname, l]));
}

/** Creates whatever part of the network's namespace is missing (a crash may have left part of it); returns its path. */
export async function ensureOverlayNamespace(files: NetnsFiles, network: OverlayNetwork, underlay: Underlay): Promise<string> {
  const netns = await files.create(networkNamespaceName(network.id));
  const links = await linksIn(netns);
  const existingVni = links.get(VXLAN)?.linkinfo?.info_data?.id;
  if (existingVni !== undefined && existingVni !== network.vni) {
    throw new NetworkError('conflict', `network ${network.id}: its namespace on this node has VNI ${existingVni}, not ${network.vni}`);
  }
  const mtu = String(network.mtu);
  if (!links.has(BRIDGE)) await command(['ip', 'link', 'add', BRIDGE, 'mtu', mtu, 'type', 'bridge'], { netns });
  await command(['ip', 'addr', 'replace', network.gatewayCidr, 'dev', BRIDGE], { netns });
  if (existingVni === undefined) {
    const staging = vxlanStagingName(network);
    await tryCommand(['ip', 'link', 'del', staging]); // left by a crash between add and move
    await command([
      'ip', 'link', 'add', staging, 'mtu', mtu, 'type', 'vxlan', 'id', String(network.vni),
      'dstport', String(underlay.port), 'local', underlay.addr, 'nolearning', 'proxy',
    ]);
    try {
      await command(['ip', 'link', 'set', staging, 'netns', netns]);
    } catch (err) {
      await tryCommand(['ip', 'link', 'del', staging]);
      throw err;
    }
    await command(['ip', 'link', 'set', staging, 'name', VXLAN], { netns });
  }
  await command(['ip', 'link', 'set', VXLAN, 'master', BRIDGE, 'up'], { netns });
  await command(['ip', 'link', 'set', BRIDGE, 'up'], { netns });
  return netns;
}

/** VNI of an existing network namespace (for adoption at start-up), or undefined when it has no VXLAN port. */
export async function readOverlayVni(netns: string): Promise<number | undefined> {
  return (await linksIn(netns)).get(VXLAN)?.linkinfo?.info_data?.id;
}

/**
 * Deletes the VXLAN port first (synchronously, so its UDP socket and VNI are free for a new network
 * at once; the kernel frees an unmounted namespace's devices only later), then the namespace.
 */
export async function removeOverlayNamespace(files: NetnsFiles, name: string): Promise<void> {
  if (files.isMounted(name)) await tryCommand(['ip', 'link', 'del', VXLAN], { netns: files.path(name) });
  await files.remove(name);
}
