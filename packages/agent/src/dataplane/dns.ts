// The embedded DNS of this node's task sandboxes: one server fed from the network directory (service
// names and aliases → VIP or, in dnsrr mode, task IPs; tasks.<name> → task IPs; container and task
// names → their IP), answering each sandbox only with names of the networks it is attached to. A
// sandbox with a gateway leg reaches it on the gateway bridge's address and is told apart by its own
// address there; a sandbox on internal networks only is served on sockets inside it (no path out).
import { EmbeddedDnsServer } from '../network/dns/server.js';
import { ServiceDirectory, type Asker, type NetworkRecords } from '../network/dns/directory.js';
import { programSandboxDns, removeSandboxDns } from '../network/dns/sandbox-dns.js';
import { openSandboxSockets } from '../network/dns/sandbox-listener.js';
import { sandboxResolvConf } from '../network/dns/resolv-conf.js';
import type { NetworkRecord } from './directory.js';

export function dnsRecords(record: NetworkRecord): NetworkRecords {
  const endpoints = [...record.endpoints.values()];
  return {
    name: record.info.Name,
    services: [...record.services.values()].map((s) => ({
      name: s.Name,
      aliases: s.Aliases,
      endpointMode: s.Mode,
      ...(s.Vip !== undefined ? { vip: s.Vip } : {}),
      taskIps: endpoints.filter((e) => e.ServiceID === s.ID).map((e) => e.Addr),
    })).filter((s) => s.endpointMode === 'dnsrr' || s.vip !== undefined),
    endpoints: endpoints.filter((e) => e.Names.length > 0).map((e) => ({ names: e.Names, ipv4: e.Addr })),
  };
}

/** How a sandbox reaches the DNS server: over its gateway leg (known by that address), or not at all. */
export type DnsPath = { readonly kind: 'gateway'; readonly ip: string } | { readonly kind: 'internal' };

export class SandboxDns {
  readonly #resolver = new ServiceDirectory();
  readonly #server: EmbeddedDnsServer = new EmbeddedDnsServer({ resolver: this.#resolver });
  readonly #listenAddress: string;
  readonly #hostResolvConf: () => Promise<string>;
  /** Undoes each attached sandbox's registration; resolves once its sockets (if any) are closed. */
  readonly #detach = new Map<string, () => Promise<void>>();

  /** `listenAddress`: the gateway bridge's own address, which every sandbox with a gateway leg can reach. */
  constructor(listenAddress: string, hostResolvConf: () => Promise<string>) {
    this.#listenAddress = listenAddress;
    this.#hostResolvConf = hostResolvConf;
  }

  setNetwork(networkId: string, record: NetworkRecord | undefined): void {
    if (record === undefined) this.#resolver.removeNetwork(networkId);
    else this.#resolver.setNetwork(networkId, dnsRecords(record));
  }

  /**
   * Gives the sandbox DNS at 127.0.0.11 for the names of `networks`; returns the resolv.conf its
   * container gets. With a gateway leg, its 127.0.0.11:53 is redirected to the server's listener on the
   * gateway bridge (bound on first use), and names it does not own are forwarded outside. Without one
   * (internal networks only) the server answers on sockets inside the sandbox and forwards nothing.
   */
  async attach(sandboxId: string, netns: string, path: DnsPath, networks: readonly string[]): Promise<string> {
    await this.detach(sandboxId);
    const hostResolvConf = await this.#hostResolvConf();
    if (path.kind === 'internal') {
      // A redirect left from when the sandbox had a gateway leg would send its questions nowhere.
      await removeSandboxDns(netns);
      const sockets = await openSandboxSockets(netns);
      const asker: Asker = { networks, external: false };
      this.#detach.set(sandboxId, this.#server.serveSandbox(sockets, () => asker));
      return sandboxResolvConf(hostResolvConf);
    }
    await this.#server.listenOnGateway(this.#listenAddress);
    const forget = this.#resolver.setSandbox(path.ip, { networks, external: true });
    this.#detach.set(sandboxId, async () => forget());
    return (await programSandboxDns(netns, this.#listenAddress, { hostResolvConf })).resolvConf;
  }

  async detach(sandboxId: string): Promise<void> {
    const undo = this.#detach.get(sandboxId);
    this.#detach.delete(sandboxId);
    await undo?.();
  }

  async close(): Promise<void> {
    this.#detach.clear();
    await this.#server.close();
  }
}
