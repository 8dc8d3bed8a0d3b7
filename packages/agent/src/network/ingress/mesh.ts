// The routing mesh. Each node joins the ingress network through the `ingress-sbox` namespace, which
// has one leg on the node's gateway bridge and one on the ingress overlay. A port published in
// ingress mode answers on every address of every node:
//   host netns:   <node addr>:P  --DNAT-->  <sbox gateway-bridge addr>:P         (PortPublisher)
//   ingress-sbox: <sbox addr>:P  --DNAT, numgen round-robin-->  <task ingress IP>:T
//                 then masquerade to the sbox's ingress address, so tasks on any node answer
//                 through this sbox (their own default route goes elsewhere)
// The second step is the same nftables VIP mechanism as service VIPs (lb/vip.ts), with the sbox's
// gateway-bridge address as the "VIP" and a target port per published port.
import { assertIPv4, NetworkSpecError, type L4Protocol } from '../lb/addresses.js';
import { nftApply, setSysctl, type Netns } from '../lb/netns.js';
import { programVirtualAddress, removeVip, type VirtualPortRule } from '../lb/vip.js';
import type { PortPublisher } from './port-publisher.js';

export const SBOX_TABLE = 'shoal_ingress';

export interface IngressMeshOptions {
  /** The ingress-sbox namespace (made by the overlay driver). */
  readonly sbox: Netns;
  /** ingress-sbox's address on the node's gateway bridge. */
  readonly sboxGatewayIp: string;
  /** The node's publisher, shared with host-mode publishing so one port has one owner. */
  readonly ports: PortPublisher;
}

export interface IngressPublication {
  readonly protocol: L4Protocol;
  readonly publishedPort: number;
  readonly targetPort: number;
  /** Ingress-network IPs of the service's healthy tasks, on any node. */
  readonly backends: readonly string[];
}

function ownerOf(protocol: string, port: number): string {
  return `ingress-sbox:${port}/${protocol}`;
}

export class IngressMesh {
  private readonly published = new Map<string, IngressPublication>();
  private sboxReady = false;

  constructor(private readonly options: IngressMeshOptions) {
    assertIPv4(options.sboxGatewayIp, 'ingress-sbox gateway-bridge address');
  }

  /** Publishes a port, or replaces its target port and backends (one nft transaction per namespace). */
  async publish(p: IngressPublication): Promise<void> {
    if (new Set(p.backends).size !== p.backends.length) {
      throw new NetworkSpecError(`ingress port ${p.publishedPort}/${p.protocol}: a backend is listed twice`);
    }
    const k = `${p.protocol}/${p.publishedPort}`;
    const next = new Map(this.published).set(k, p);
    await this.prepareSbox();
    // Backends first, then the host's DNAT: a port is never reachable before it can be served.
    await programVirtualAddress(this.options.sbox, this.options.sboxGatewayIp, this.rules(next));
    try {
      await this.options.ports.publish(ownerOf(p.protocol, p.publishedPort), this.options.sboxGatewayIp, [
        { protocol: p.protocol, publishedPort: p.publishedPort, targetPort: p.publishedPort },
      ]);
    } catch (e) {
      // e.g. the port is taken by host-mode publishing: put the sbox back as it was.
      await programVirtualAddress(this.options.sbox, this.options.sboxGatewayIp, this.rules(this.published)).catch(() => undefined);
      throw e;
    }
    this.published.set(k, p);
  }

  /** Withdraws a published port; a no-op when it is not published. */
  async unpublish(protocol: L4Protocol, publishedPort: number): Promise<void> {
    const k = `${protocol}/${publishedPort}`;
    await this.options.ports.unpublish(ownerOf(protocol, publishedPort));
    const next = new Map(this.published);
    next.delete(k);
    if (next.size === 0) await removeVip(this.options.sbox, this.options.sboxGatewayIp);
    else await programVirtualAddress(this.options.sbox, this.options.sboxGatewayIp, this.rules(next));
    this.published.delete(k);
  }

  list(): IngressPublication[] {
    return [...this.published.values()];
  }

  private rules(publications: Map<string, IngressPublication>): VirtualPortRule[] {
    return [...publications.values()].map((p) => ({
      protocol: p.protocol,
      port: p.publishedPort,
      targets: p.backends.map((ip) => ({ ip, port: p.targetPort })),
    }));
  }

  private async prepareSbox(): Promise<void> {
    if (this.sboxReady) return;
    // The sbox routes between its two legs, and hides the client's address from the task so the
    // reply comes back through this sbox (conntrack restores both translations on the way back).
    await setSysctl(this.options.sbox, 'net.ipv4.ip_forward', '1');
    await nftApply(
      this.options.sbox,
      [
        `add table ip ${SBOX_TABLE}`,
        `delete table ip ${SBOX_TABLE}`,
        `table ip ${SBOX_TABLE} {`,
        `  chain postrouting {`,
        `    type nat hook postrouting priority 100; policy accept;`,
        `    ct status dnat ip daddr != ${this.options.sboxGatewayIp} masquerade`,
        `  }`,
        `}`,
        '',
      ].join('\n'),
    );
    this.sboxReady = true;
  }
}
