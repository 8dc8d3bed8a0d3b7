// Publishing ports on a node: connections to any local address of the node on a published port are
// DNATed in the host namespace to a target (a container's gateway-bridge address for `-p` and
// host-mode publishing, ingress-sbox for the routing mesh). One nft map holds every port published on
// all addresses and another those published on one address (`-p 127.0.0.1:8080:80`), looked up first,
// so publishing or withdrawing one is a single element change.
//
// Local traffic: the output hook handles connections the node opens to its own addresses; for
// 127.0.0.1 the gateway bridge needs route_localnet=1 and the connection is masqueraded so the
// target can answer (Docker does the same for ingress).
import { existsSync } from 'node:fs';
import { assertIPv4, assertPort, NetworkSpecError } from '../lb/addresses.js';
import { nftApply, nftDeleteTable, runInNetns, setSysctl, HOST_NETNS, type Netns } from '../lb/netns.js';

export const PORTS_TABLE = 'shoal_ports';

export type PublishProtocol = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  readonly protocol: PublishProtocol;
  readonly publishedPort: number;
  readonly targetPort: number;
  /** One of the node's IPv4 addresses to publish on; absent: all of them. */
  readonly hostIp?: string;
}

export type PublishErrorCode = 'port-allocated' | 'protocol-unsupported' | 'address-unavailable';

export class PublishError extends Error {
  constructor(
    readonly code: PublishErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

/** SCTP needs the kernel's sctp support (module or built in), which shows as /proc/net/sctp. */
export function kernelHasSctp(procRoot = '/proc'): boolean {
  return existsSync(`${procRoot}/net/sctp`);
}

export interface PortPublisherOptions {
  /** Default: the namespace this process runs in. */
  readonly hostNetns?: Netns;
  /** The gateway bridge; when given, 127.0.0.1:<published> works from the node itself. */
  readonly gatewayBridge?: string;
  /** Default: kernelHasSctp(). */
  readonly sctpSupported?: boolean;
  /** The nft table (family ip) this publisher owns. Default: PORTS_TABLE (the swarm data plane's). */
  readonly table?: string;
}

interface Entry {
  readonly owner: string;
  readonly mapping: PortMapping;
  readonly targetIp: string;
}

/** `${hostIp or *}/${protocol}/${port}` */
function key(m: PortMapping): string {
  return `${m.hostIp ?? '*'}/${m.protocol}/${m.publishedPort}`;
}

/** Two mappings want the same port when protocol and port match and their addresses overlap. */
function clash(a: PortMapping, b: PortMapping): boolean {
  return a.protocol === b.protocol && a.publishedPort === b.publishedPort && (a.hostIp === undefined || b.hostIp === undefined || a.hostIp === b.hostIp);
}

export class PortPublisher {
  private readonly netns: Netns;
  private readonly table: string;
  private readonly entries = new Map<string, Entry>();
  private prepared = false;

  constructor(private readonly options: PortPublisherOptions = {}) {
    this.netns = options.hostNetns ?? HOST_NETNS;
    this.table = options.table ?? PORTS_TABLE;
  }

  /** Removes whatever a previous run of the agent left (call once at start-up). */
  async reset(): Promise<void> {
    await nftDeleteTable(this.netns, 'ip', this.table);
    this.entries.clear();
    this.prepared = false;
  }

  /**
   * Publishes `mappings` of endpoint `owner` to `targetIp`, replacing what `owner` had published
   * before. Refuses, before changing anything, a port another owner holds and SCTP on kernels
   * without it, with Docker's wording.
   */
  async publish(owner: string, targetIp: string, mappings: readonly PortMapping[]): Promise<void> {
    assertIPv4(targetIp, `publish target of ${owner}`);
    const wanted = new Map<string, Entry>();
    for (const m of mappings) {
      this.check(owner, m);
      if ([...wanted.values()].some((e) => clash(e.mapping, m))) throw new NetworkSpecError(`${owner}: port ${m.publishedPort}/${m.protocol} is published twice`);
      wanted.set(key(m), { owner, mapping: m, targetIp });
    }
    await this.checkAddresses(owner, mappings);
    const stale = [...this.entries].filter(([k, e]) => e.owner === owner && !wanted.has(k)).map(([k]) => k);
    const lines = await this.prepare();
    for (const k of stale) lines.push(`delete element ip ${this.table} ${element(this.entries.get(k)!.mapping)}`);
    for (const e of wanted.values()) {
      const target = `${e.targetIp} . ${e.mapping.targetPort}`;
      // add-then-delete-then-add replaces an element's target in the same transaction.
      lines.push(
        `add element ip ${this.table} ${element(e.mapping, target)}`,
        `delete element ip ${this.table} ${element(e.mapping)}`,
        `add element ip ${this.table} ${element(e.mapping, target)}`,
      );
    }
    await nftApply(this.netns, lines.join('\n') + '\n');
    for (const k of stale) this.entries.delete(k);
    for (const [k, e] of wanted) this.entries.set(k, e);
  }

  /** Withdraws everything `owner` published; a no-op when it published nothing. */
  async unpublish(owner: string): Promise<void> {
    await this.publish(owner, '0.0.0.0', []);
  }

  private check(owner: string, m: PortMapping): void {
    assertPort(m.publishedPort, `${owner}: published port`);
    assertPort(m.targetPort, `${owner}: target port`);
    if (m.protocol === 'sctp' && !(this.options.sctpSupported ?? kernelHasSctp())) {
      throw new PublishError(
        'protocol-unsupported',
        `driver failed programming external connectivity on endpoint ${owner}: Error starting userland proxy: ` +
          `listen sctp4 0.0.0.0:${m.publishedPort}: socket: protocol not supported (this kernel has no SCTP support)`,
      );
    }
    if (m.protocol !== 'tcp' && m.protocol !== 'udp' && m.protocol !== 'sctp') {
      throw new NetworkSpecError(`${owner}: unsupported protocol "${String(m.protocol)}"`);
    }
    if (m.hostIp !== undefined) assertIPv4(m.hostIp, `${owner}: host address`);
    const holder = [...this.entries.values()].find((e) => e.owner !== owner && clash(e.mapping, m));
    if (holder !== undefined) {
      throw new PublishError(
        'port-allocated',
        `driver failed programming external connectivity on endpoint ${owner}: Bind for ${m.hostIp ?? '0.0.0.0'}:${m.publishedPort} failed: port is already allocated`,
      );
    }
  }

  /** A port published on one address needs that address on the node, as dockerd's bind would. */
  private async checkAddresses(owner: string, mappings: readonly PortMapping[]): Promise<void> {
    const wanted = mappings.filter((m) => m.hostIp !== undefined);
    if (wanted.length === 0) return;
    const listed = JSON.parse(await runInNetns(this.netns, ['ip', '-j', '-4', 'addr', 'show'])) as { addr_info?: { local?: string }[] }[];
    const local = new Set(listed.flatMap((l) => (l.addr_info ?? []).map((a) => a.local)));
    const missing = wanted.find((m) => !local.has(m.hostIp));
    if (missing !== undefined) {
      throw new PublishError(
        'address-unavailable',
        `driver failed programming external connectivity on endpoint ${owner}: Error starting userland proxy: ` +
          `listen ${missing.protocol}4 ${missing.hostIp}:${missing.publishedPort}: bind: cannot assign requested address`,
      );
    }
  }

  private async prepare(): Promise<string[]> {
    if (!this.prepared && this.options.gatewayBridge !== undefined) {
      await setSysctl(this.netns, `net.ipv4.conf.${this.options.gatewayBridge}.route_localnet`, '1');
    }
    if (!this.prepared) await setSysctl(this.netns, 'net.ipv4.ip_forward', '1');
    this.prepared = true;
    const t = this.table;
    const lines = [
      `add table ip ${t}`,
      `add map ip ${t} published { type inet_proto . inet_service : ipv4_addr . inet_service ; }`,
      `add map ip ${t} published_on { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service ; }`,
    ];
    for (const [chain, hook] of [['prerouting', 'prerouting'], ['output', 'output']] as const) {
      lines.push(
        `add chain ip ${t} ${chain} { type nat hook ${hook} priority -100 ; policy accept ; }`,
        `flush chain ip ${t} ${chain}`,
        `add rule ip ${t} ${chain} fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @published_on`,
        `add rule ip ${t} ${chain} fib daddr type local dnat ip to meta l4proto . th dport map @published`,
      );
    }
    lines.push(
      `add chain ip ${t} postrouting { type nat hook postrouting priority 100 ; policy accept ; }`,
      `flush chain ip ${t} postrouting`,
      `add rule ip ${t} postrouting ip saddr 127.0.0.0/8 ct status dnat masquerade`,
    );
    return lines;
  }
}

/** The map element of a mapping, `published_on { ip . proto . port }` or `published { proto . port }`, with its target when given. */
function element(m: PortMapping, target?: string): string {
  const value = target === undefined ? '' : ` : ${target}`;
  return m.hostIp === undefined ? `published { ${m.protocol} . ${m.publishedPort}${value} }` : `published_on { ${m.hostIp} . ${m.protocol} . ${m.publishedPort}${value} }`;
}
