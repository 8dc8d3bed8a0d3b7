// VIP load balancing with nftables, for kernels without IPVS (and those with it).
//
// In a sandbox, table `ip shoal_lb` holds a verdict map from each VIP to its own chain; base chains
// at the nat output hook (connections the sandbox's processes open) and at nat prerouting (connections
// arriving from elsewhere, as in ingress-sbox) consult it. A VIP's chain DNATs each port to
// `numgen inc mod N` over the backends, which is round-robin per new connection. Anything else sent
// to a VIP (a port with no backend) is rejected by a filter output chain, so it fails fast instead of
// timing out; the reject lives there because a reject in a nat chain has no effect on this kernel.
//
// Why established connections stay put: nat chains see only the first packet of a connection. The
// kernel records the DNAT choice in that connection's conntrack entry and rewrites every later packet
// (both directions) from the entry, without consulting the rules again. Replacing a VIP's chain
// therefore changes where *new* connections go; open TCP connections to a backend that is still alive
// keep working, and connections to a removed backend end when that task stops (its RST or the
// client's timeout). UDP "connections" are conntrack entries too: datagrams in a flow keep their
// backend until the entry idles out (30 s unreplied, 120 s once replied).
//
// Updates are atomic: each programVip call is one nft transaction that flushes and refills the VIP's
// chain, so a packet sees either the old backend list or the new one, never an empty chain.
import { assertIPv4, assertPort, ipv4Hex, NetworkSpecError, type L4Protocol } from './addresses.js';
import { nftApply, type Netns } from './netns.js';

export const LB_TABLE = 'shoal_lb';

export interface VipPort {
  readonly protocol: L4Protocol;
  /** The port clients connect to on the VIP. */
  readonly port: number;
  /** The backends' port; defaults to `port` (a swarm VIP keeps the port, ingress may not). */
  readonly targetPort?: number;
}

export interface VipSpec {
  readonly vip: string;
  readonly ports: readonly VipPort[];
  /** Healthy backends' addresses; empty means every connection to the VIP is refused. */
  readonly backends: readonly string[];
}

/** One address:port rule with its own targets: the general form behind VIPs and ingress. */
export interface VirtualPortRule {
  readonly protocol: L4Protocol;
  readonly port: number;
  readonly targets: readonly { readonly ip: string; readonly port: number }[];
}

function chainName(address: string): string {
  return `vip_${ipv4Hex(address)}`;
}

function baseChains(): string[] {
  const lines = [
    `add table ip ${LB_TABLE}`,
    `add map ip ${LB_TABLE} vips { type ipv4_addr : verdict ; }`,
    `add set ip ${LB_TABLE} vip_addresses { type ipv4_addr ; }`,
    // Runs after nat output: a connection still addressed to a VIP here matched no port with backends.
    `add chain ip ${LB_TABLE} unbalanced { type filter hook output priority 0 ; policy accept ; }`,
    `flush chain ip ${LB_TABLE} unbalanced`,
    `add rule ip ${LB_TABLE} unbalanced ip daddr @vip_addresses meta l4proto tcp reject with tcp reset`,
    `add rule ip ${LB_TABLE} unbalanced ip daddr @vip_addresses reject`,
  ];
  for (const [chain, hook] of [['output', 'output'], ['prerouting', 'prerouting']] as const) {
    lines.push(
      `add chain ip ${LB_TABLE} ${chain} { type nat hook ${hook} priority -100 ; policy accept ; }`,
      `flush chain ip ${LB_TABLE} ${chain}`,
      `add rule ip ${LB_TABLE} ${chain} ip daddr vmap @vips`,
    );
  }
  return lines;
}

function validateRules(address: string, rules: readonly VirtualPortRule[]): void {
  assertIPv4(address, 'virtual address');
  const seen = new Set<string>();
  for (const rule of rules) {
    if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') {
      throw new NetworkSpecError(`virtual address ${address}: unsupported protocol "${String(rule.protocol)}"`);
    }
    assertPort(rule.port, `virtual address ${address}`);
    const key = `${rule.protocol}/${rule.port}`;
    if (seen.has(key)) throw new NetworkSpecError(`virtual address ${address}: port ${key} given twice`);
    seen.add(key);
    for (const target of rule.targets) {
      assertIPv4(target.ip, `backend of ${address}:${key}`);
      assertPort(target.port, `backend of ${address}:${key}`);
    }
  }
}

/** The nft script that (re)programs one virtual address; pure, so it is testable without root. */
export function renderVirtualAddress(address: string, rules: readonly VirtualPortRule[]): string {
  validateRules(address, rules);
  const chain = chainName(address);
  const lines = [...baseChains(), `add chain ip ${LB_TABLE} ${chain}`, `flush chain ip ${LB_TABLE} ${chain}`];
  for (const rule of rules) {
    if (rule.targets.length === 0) continue;
    const map = rule.targets.map((t, i) => `${i} : ${t.ip} . ${t.port}`).join(', ');
    lines.push(
      `add rule ip ${LB_TABLE} ${chain} ${rule.protocol} dport ${rule.port} ` +
        `dnat ip to numgen inc mod ${rule.targets.length} map { ${map} }`,
    );
  }
  lines.push(
    `add element ip ${LB_TABLE} vips { ${address} : jump ${chain} }`,
    `add element ip ${LB_TABLE} vip_addresses { ${address} }`,
  );
  return lines.join('\n') + '\n';
}

export function renderRemoveVirtualAddress(address: string): string {
  assertIPv4(address, 'virtual address');
  const chain = chainName(address);
  // Adding before deleting makes removal idempotent within one transaction.
  return [
    ...baseChains(),
    `add chain ip ${LB_TABLE} ${chain}`,
    `add element ip ${LB_TABLE} vips { ${address} : jump ${chain} }`,
    `add element ip ${LB_TABLE} vip_addresses { ${address} }`,
    `delete element ip ${LB_TABLE} vips { ${address} }`,
    `delete element ip ${LB_TABLE} vip_addresses { ${address} }`,
    `delete chain ip ${LB_TABLE} ${chain}`,
  ].join('\n') + '\n';
}

export function vipRules(spec: VipSpec): VirtualPortRule[] {
  return spec.ports.map((p) => ({
    protocol: p.protocol,
    port: p.port,
    targets: spec.backends.map((ip) => ({ ip, port: p.targetPort ?? p.port })),
  }));
}

/** Installs or replaces (atomically) the load balancing of `spec.vip` inside the sandbox `netns`. */
export async function programVip(netns: Netns, spec: VipSpec): Promise<void> {
  if (new Set(spec.backends).size !== spec.backends.length) {
    throw new NetworkSpecError(`VIP ${spec.vip}: a backend is listed twice`);
  }
  await nftApply(netns, renderVirtualAddress(spec.vip, vipRules(spec)));
}

/** Programs a virtual address whose ports have different targets (ingress-sbox's published ports). */
export async function programVirtualAddress(netns: Netns, address: string, rules: readonly VirtualPortRule[]): Promise<void> {
  await nftApply(netns, renderVirtualAddress(address, rules));
}

/** Stops balancing `vip` in the sandbox; a no-op when it was not programmed. */
export async function removeVip(netns: Netns, vip: string): Promise<void> {
  await nftApply(netns, renderRemoveVirtualAddress(vip));
}
