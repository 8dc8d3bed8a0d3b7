// Remote endpoints of an overlay as static kernel state in the network's namespace: a neighbour entry
// (IP → MAC) on vxlan0, which its ARP proxy answers from, and an FDB entry (MAC → the remote node's
// VTEP address) telling vxlan0 where to send frames for that MAC. Updates are a diff against what is
// programmed, applied in one `ip -batch` and one `bridge -batch` run.
import { batch, command, ipJson } from './command.js';
import { NetworkError } from './errors.js';
import { normalizeMac, parseIPv4 } from './ipv4.js';
import { VXLAN } from './overlay-netns.js';

export interface Peer {
  /** The remote endpoint's overlay address. */
  readonly ip: string;
  /** Its MAC (Docker derives it from the IP: 02:42:<ip bytes>). */
  readonly mac: string;
  /** The data-path address of the node it runs on. */
  readonly vtep: string;
}

/** What is programmed (or wanted): neighbours by IP and FDB entries by MAC. */
export interface PeerTable {
  readonly neigh: ReadonlyMap<string, string>;
  readonly fdb: ReadonlyMap<string, string>;
}

export const EMPTY_PEERS: PeerTable = { neigh: new Map(), fdb: new Map() };

/** Validates and indexes peers; endpoints on this node (vtep = our address) need no entries. */
export function peerTable(peers: readonly Peer[], localVtep: string): PeerTable {
  const neigh = new Map<string, string>();
  const fdb = new Map<string, string>();
  for (const p of peers) {
    parseIPv4(p.ip);
    parseIPv4(p.vtep);
    const mac = normalizeMac(p.mac);
    if (p.vtep === localVtep) continue;
    const otherMac = neigh.get(p.ip);
    if (otherMac !== undefined && otherMac !== mac) throw new NetworkError('conflict', `peer ${p.ip} listed with two MACs (${otherMac}, ${mac})`);
    const otherVtep = fdb.get(mac);
    if (otherVtep !== undefined && otherVtep !== p.vtep) throw new NetworkError('conflict', `peer MAC ${mac} listed on two hosts (${otherVtep}, ${p.vtep})`);
    neigh.set(p.ip, mac);
    fdb.set(mac, p.vtep);
  }
  return { neigh, fdb };
}

export interface PeerCommands {
  readonly ip: string[];
  readonly bridge: string[];
}

export function peerCommands(current: PeerTable, wanted: PeerTable): PeerCommands {
  const ip: string[] = [];
  const bridge: string[] = [];
  for (const addr of current.neigh.keys()) if (!wanted.neigh.has(addr)) ip.push(`neigh del ${addr} dev ${VXLAN}`);
  for (const [addr, mac] of wanted.neigh) {
    if (current.neigh.get(addr) !== mac) ip.push(`neigh replace ${addr} lladdr ${mac} dev ${VXLAN} nud permanent`);
  }
  for (const [mac, vtep] of current.fdb) if (!wanted.fdb.has(mac)) bridge.push(`fdb del ${mac} dev ${VXLAN} dst ${vtep} self`);
  for (const [mac, vtep] of wanted.fdb) {
    if (current.fdb.get(mac) !== vtep) bridge.push(`fdb replace ${mac} dev ${VXLAN} dst ${vtep} self permanent`);
  }
  return { ip, bridge };
}

/** Brings the namespace's entries from `current` to `wanted`. */
export async function programPeers(netns: string, current: PeerTable, wanted: PeerTable): Promise<void> {
  const cmds = peerCommands(current, wanted);
  await batch('ip', cmds.ip, { netns });
  await batch('bridge', cmds.bridge, { netns });
}

interface NeighJson {
  dst: string;
  lladdr?: string;
  state?: string[];
}
interface FdbJson {
  mac: string;
  dst?: string;
  state?: string;
}

/** What the kernel has (for a namespace adopted after a restart, whose programmed state we did not keep). */
export async function readPeers(netns: string): Promise<PeerTable> {
  const neighbours = await ipJson<NeighJson>(['neigh', 'show', 'dev', VXLAN], { netns });
  const neigh = new Map<string, string>();
  for (const n of neighbours) if (n.lladdr !== undefined && n.state?.includes('PERMANENT')) neigh.set(n.dst, n.lladdr.toLowerCase());
  const out = (await command(['bridge', '-j', 'fdb', 'show', 'dev', VXLAN], { netns })).trim();
  const fdb = new Map<string, string>();
  for (const f of out === '' ? [] : (JSON.parse(out) as FdbJson[])) {
    if (f.dst !== undefined && f.state === 'permanent') fdb.set(f.mac.toLowerCase(), f.dst);
  }
  return { neigh, fdb };
}
