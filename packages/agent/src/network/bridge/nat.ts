// The nftables side of local bridges, in one table of our own replaced atomically whenever the set of
// bridges changes: source NAT for what leaves a bridge for elsewhere (enable_ip_masquerade) and for
// published ports reached from the same bridge, and
// isolation between bridges, as dockerd's DOCKER-ISOLATION chains: a container reaches containers of
// another bridge network only through published ports.
import { command } from '../command.js';

export const BRIDGE_NFT_TABLE = 'shoal_bridges';

export interface BridgeNat {
  readonly name: string;
  readonly subnet: string;
}

export function renderBridgeNat(bridges: readonly BridgeNat[]): string {
  const t = BRIDGE_NFT_TABLE;
  const lines = [`add table ip ${t}`, `delete table ip ${t}`];
  if (bridges.length === 0) return lines.join('\n') + '\n';
  lines.push(
    `table ip ${t} {`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    ...bridges.map((b) => `    ip saddr ${b.subnet} oifname != "${b.name}" masquerade`),
    // Hairpin: a container reaching a port published by one on its own bridge (or itself) at a node
    // address gets the reply through the node only if the node is the source it sees.
    ...bridges.map((b) => `    ct status dnat ip saddr ${b.subnet} oifname "${b.name}" masquerade`),
    `  }`,
    `  chain forward {`,
    `    type filter hook forward priority filter; policy accept;`,
  );
  const names = bridges.map((b) => `"${b.name}"`);
  if (bridges.length > 1) {
    for (const b of bridges) lines.push(`    iifname "${b.name}" oifname { ${names.filter((n) => n !== `"${b.name}"`).join(', ')} } drop`);
  }
  lines.push(`  }`, `}`);
  return lines.join('\n') + '\n';
}

/** Replaces the table with the rules for `bridges` (none: the table goes). */
export async function applyBridgeNat(bridges: readonly BridgeNat[]): Promise<void> {
  await command(['nft', '-f', '-'], { input: renderBridgeNat(bridges) });
}
