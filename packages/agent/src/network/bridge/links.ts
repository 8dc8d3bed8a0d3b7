// Local bridge networks in the node's namespace (dockerd's bridge driver): one Linux bridge per
// network holding the gateway address, and per container endpoint a veth pair whose host end is a
// port of the bridge and whose other end is the container's ethN, with a default route via the
// gateway on the container's first bridge. Ports of one bridge reach each other (enable_icc=true).
import { batch, command, ipJson, tryCommand } from '../command.js';
import { macFromIp } from '../ipv4.js';

export interface LocalBridgeConfig {
  /** The Linux bridge: docker0 for the default network, br-<12 hex of the network ID> for the others. */
  readonly name: string;
  readonly gateway: string;
  readonly prefixLen: number;
  readonly mtu: number;
}

/**
 * Creates (or repairs) the bridge with its gateway address; forwarding on, and route_localnet so
 * `-p 127.0.0.1:…` reaches it. The bridge's MAC is set (02:42:<gateway>): a bridge left to choose takes
 * its ports' lowest MAC, which changes as containers come and go, and containers' neighbour entries
 * for the gateway then point at a MAC nobody has until they expire.
 */
export async function ensureLocalBridge(cfg: LocalBridgeConfig): Promise<void> {
  const existing = await ipJson<{ ifname: string }>(['link', 'show']);
  if (!existing.some((l) => l.ifname === cfg.name)) {
    await command(['ip', 'link', 'add', cfg.name, 'address', macFromIp(cfg.gateway), 'mtu', String(cfg.mtu), 'type', 'bridge']);
  }
  await command(['ip', 'addr', 'replace', `${cfg.gateway}/${cfg.prefixLen}`, 'dev', cfg.name]);
  await command(['ip', 'link', 'set', cfg.name, 'up']);
  await command(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await command(['sysctl', '-q', '-w', `net.ipv4.conf.${cfg.name}.route_localnet=1`]);
}

/** Deletes the bridge (its ports go with their veths first); repeatable. */
export async function removeLocalBridge(name: string): Promise<void> {
  await tryCommand(['ip', 'link', 'del', name]);
}

export interface BridgeEndpointOptions {
  readonly bridge: LocalBridgeConfig;
  /** The host end's name, unique in the node's namespace (vethXXXXXXX). */
  readonly hostIf: string;
  /** The container's network namespace file. */
  readonly sandbox: string;
  readonly ip: string;
  /** The container's first bridge network gives it its default route. */
  readonly defaultRoute: boolean;
}

/** The lowest ethN the sandbox does not have yet. */
async function freeIfname(sandbox: string): Promise<string> {
  const names = new Set((await ipJson<{ ifname: string }>(['link', 'show'], { netns: sandbox })).map((l) => l.ifname));
  let n = 0;
  while (names.has(`eth${n}`)) n++;
  return `eth${n}`;
}

/** Adds the container's leg on the bridge; returns its name inside the container. */
export async function addBridgeEndpoint(o: BridgeEndpointOptions): Promise<string> {
  const ifname = await freeIfname(o.sandbox);
  const mtu = String(o.bridge.mtu);
  await tryCommand(['ip', 'link', 'del', o.hostIf]); // left by a failed attempt
  // The MAC follows the address (02:42:<ip>), as dockerd's: a reused address meets no stale neighbour entry.
  await command(['ip', 'link', 'add', o.hostIf, 'mtu', mtu, 'type', 'veth', 'peer', 'name', ifname, 'address', macFromIp(o.ip), 'mtu', mtu, 'netns', o.sandbox]);
  try {
    await command(['ip', 'link', 'set', o.hostIf, 'master', o.bridge.name, 'up']);
    // A container may reach its own published port at a node address: the reply comes back out of the port it went in.
    await command(['bridge', 'link', 'set', 'dev', o.hostIf, 'hairpin', 'on']);
    const lines = [`addr add ${o.ip}/${o.bridge.prefixLen} dev ${ifname}`, `link set dev ${ifname} up`];
    if (o.defaultRoute) lines.push(`route replace default via ${o.bridge.gateway} dev ${ifname}`);
    await batch('ip', lines, { netns: o.sandbox });
  } catch (err) {
    await tryCommand(['ip', 'link', 'del', o.hostIf]);
    throw err;
  }
  return ifname;
}

/** Deleting the host end deletes the pair, so the address is free once this returns. */
export async function removeBridgeEndpoint(hostIf: string): Promise<void> {
  await tryCommand(['ip', 'link', 'del', hostIf]);
}

/** Names of the links in the node's namespace. */
export async function linkNames(): Promise<string[]> {
  return (await ipJson<{ ifname: string }>(['link', 'show'])).map((l) => l.ifname);
}
