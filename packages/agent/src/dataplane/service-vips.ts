// Service VIPs inside task sandboxes. A connection a task opens to a service's VIP, on any port, is
// DNATed (nat output hook, in the sandbox) to one of the service's running tasks on that network,
// round-robin per connection, as Docker's IPVS VIPs balance every port of the VIP. The rules live in
// the load-balancer module's table (`shoal_lb`, a verdict map from VIP to a per-VIP chain), so the
// ingress and port-specific rules of network/lb and these share one lookup; the per-VIP chain here has
// no port match and keeps the destination port. A VIP with no running task refuses at once.
import { LB_TABLE } from '../network/lb/vip.js';
import { assertIPv4, ipv4Hex } from '../network/lb/addresses.js';
import { nftApply } from '../network/lb/netns.js';

function baseLines(): string[] {
  const lines = [`add table ip ${LB_TABLE}`, `add map ip ${LB_TABLE} vips { type ipv4_addr : verdict ; }`];
  for (const hook of ['output', 'prerouting'] as const) {
    lines.push(
      `add chain ip ${LB_TABLE} ${hook} { type nat hook ${hook} priority -100 ; policy accept ; }`,
      `flush chain ip ${LB_TABLE} ${hook}`,
      `add rule ip ${LB_TABLE} ${hook} ip daddr vmap @vips`,
    );
  }
  return lines;
}

/** The nft script that makes `vip` (every port) reach `backends`; pure, for tests. */
export function renderServiceVip(vip: string, backends: readonly string[]): string {
  assertIPv4(vip, 'service VIP');
  for (const b of backends) assertIPv4(b, `backend of ${vip}`);
  const chain = `vip_${ipv4Hex(vip)}`;
  const lines = [...baseLines(), `add chain ip ${LB_TABLE} ${chain}`, `flush chain ip ${LB_TABLE} ${chain}`];
  if (backends.length > 0) {
    const map = backends.map((ip, i) => `${i} : ${ip}`).join(', ');
    lines.push(`add rule ip ${LB_TABLE} ${chain} meta l4proto { tcp, udp } dnat ip to numgen inc mod ${backends.length} map { ${map} }`);
  }
  lines.push(
    `add rule ip ${LB_TABLE} ${chain} meta l4proto tcp reject with tcp reset`,
    `add rule ip ${LB_TABLE} ${chain} meta l4proto udp reject`,
    `add element ip ${LB_TABLE} vips { ${vip} : jump ${chain} }`,
  );
  return lines.join('\n') + '\n';
}

export function renderRemoveServiceVip(vip: string): string {
  assertIPv4(vip, 'service VIP');
  const chain = `vip_${ipv4Hex(vip)}`;
  return [
    ...baseLines(),
    `add chain ip ${LB_TABLE} ${chain}`,
    `add element ip ${LB_TABLE} vips { ${vip} : jump ${chain} }`,
    `delete element ip ${LB_TABLE} vips { ${vip} }`,
    `delete chain ip ${LB_TABLE} ${chain}`,
  ].join('\n') + '\n';
}

/** What one sandbox should balance: VIP → its backends (sorted, so equal sets compare equal). */
export type VipTable = ReadonlyMap<string, readonly string[]>;

/** Brings a sandbox's VIP rules from `current` to `wanted` in one nft transaction. */
export async function programServiceVips(netns: string, current: VipTable, wanted: VipTable): Promise<void> {
  const parts: string[] = [];
  for (const vip of current.keys()) if (!wanted.has(vip)) parts.push(renderRemoveServiceVip(vip));
  for (const [vip, backends] of wanted) {
    if (current.get(vip)?.join() !== backends.join()) parts.push(renderServiceVip(vip, backends));
  }
  if (parts.length > 0) await nftApply(netns, parts.join(''));
}
