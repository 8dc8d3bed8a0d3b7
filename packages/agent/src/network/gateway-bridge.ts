// The node's gateway bridge (dockerd's docker_gwbridge): a local bridge in the node's namespace that
// gives sandboxes on non-internal overlays a way out, with source NAT, and nothing else. Like
// dockerd's (enable_icc=false), it does not forward between its own ports: each port is an isolated
// bridge port (endpoint.ts), so sandboxes do not reach each other through it. The NAT rule lives in an
// nftables table of our own, replaced atomically.
import { command, ipJson } from './command.js';
import { parseCidr, type Cidr } from './ipv4.js';

export interface GatewayBridgeConfig {
  readonly name: string;
  readonly subnet: string;
  readonly gateway: string;
}

/** Docker's defaults (docker_gwbridge takes 172.18.0.0/16, after docker0's 172.17). */
export const DOCKER_GWBRIDGE: GatewayBridgeConfig = { name: 'docker_gwbridge', subnet: '172.18.0.0/16', gateway: '172.18.0.1' };

/** The nftables table (family ip) this module owns. */
export const GATEWAY_NFT_TABLE = 'shoal-gwbridge';

export function gatewayCidr(cfg: GatewayBridgeConfig): Cidr {
  return parseCidr(cfg.subnet);
}

function ruleset(cfg: GatewayBridgeConfig): string {
  const t = GATEWAY_NFT_TABLE;
  // `add table` then `delete table` makes the load idempotent: the new rules replace the old in one transaction.
  return `add table ip ${t}
delete table ip ${t}
table ip ${t} {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${cfg.subnet} oifname != "${cfg.name}" masquerade
  }
}
`;
}

/** Creates (or repairs) the bridge, its address, forwarding and NAT in the node's namespace. */
export async function ensureGatewayBridge(cfg: GatewayBridgeConfig): Promise<void> {
  const prefixLen = gatewayCidr(cfg).prefixLen;
  const existing = await ipJson<{ ifname: string }>(['link', 'show']);
  if (!existing.some((l) => l.ifname === cfg.name)) await command(['ip', 'link', 'add', cfg.name, 'type', 'bridge']);
  await command(['ip', 'addr', 'replace', `${cfg.gateway}/${prefixLen}`, 'dev', cfg.name]);
  await command(['ip', 'link', 'set', cfg.name, 'up']);
  await command(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await command(['nft', '-f', '-'], { input: ruleset(cfg) });
}

/** Removes the bridge and its tables (a node leaving the swarm); repeatable. */
export async function removeGatewayBridge(cfg: GatewayBridgeConfig): Promise<void> {
  const existing = await ipJson<{ ifname: string }>(['link', 'show']);
  if (existing.some((l) => l.ifname === cfg.name)) await command(['ip', 'link', 'del', cfg.name]);
  const t = GATEWAY_NFT_TABLE;
  await command(['nft', '-f', '-'], { input: `add table ip ${t}\ndelete table ip ${t}\n` });
}
