// Network partitions between hosts: nftables drop rules inside the hosts' own namespaces, in a table
// of ours that heal() deletes. Rules drop in both directions on both hosts, so a partition holds even
// for connections that were already established.
import { ClusterError } from './errors.js';
import type { HostLayout } from './layout.js';
import { execIn, execInOk } from './netns.js';

const TABLE = 'shoal_cluster_partition';

/** Cuts all traffic between hosts `a` and `b` until heal(). Partitions add up. */
export async function partition(a: HostLayout, b: HostLayout): Promise<void> {
  if (a.netns === b.netns) throw new ClusterError('INVALID_OPTIONS', `cannot partition ${a.name} from itself`);
  await dropPeer(a, b.addr);
  await dropPeer(b, a.addr);
}

/** Removes every partition on these hosts. Hosts without one are left as they are. */
export async function heal(hosts: readonly HostLayout[]): Promise<void> {
  for (const host of hosts) {
    const listed = await execIn(host.netns, ['nft', 'list', 'table', 'inet', TABLE]);
    if (listed.code === 0) await execInOk(host.netns, ['nft', 'delete', 'table', 'inet', TABLE]);
  }
}

async function dropPeer(host: HostLayout, peerAddr: string): Promise<void> {
  // `add` of an existing table or chain is a no-op, so the script works for a host's second partition too.
  const script = [
    `add table inet ${TABLE}`,
    `add chain inet ${TABLE} input { type filter hook input priority -300; policy accept; }`,
    `add chain inet ${TABLE} output { type filter hook output priority -300; policy accept; }`,
    `add rule inet ${TABLE} input ip saddr ${peerAddr} drop`,
    `add rule inet ${TABLE} output ip daddr ${peerAddr} drop`,
  ].join('\n');
  await execInOk(host.netns, ['nft', '-f', '-'], { input: script + '\n' });
}
