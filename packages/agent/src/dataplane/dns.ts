// The embedded DNS of this node's task sandboxes: one server on the gateway bridge's address, fed
// from the network directory (service names and aliases → VIP or, in dnsrr mode, task IPs;
// tasks.<name> → task IPs; container and task names → their IP), and each sandbox's 127.0.0.11:53
// pointed at it. The server tells sandboxes apart by their gateway-bridge address, and answers each
// only with names of the networks it is attached to.
import { EmbeddedDnsServer } from '../network/dns/server.js';
import { ServiceDirectory, type NetworkRecords } from '../network/dns/directory.js';
import { programSandboxDns } from '../network/dns/sandbox-dns.js';
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

export class SandboxDns {
  readonly #resolver = new ServiceDirectory();
  readonly #listenAddress: string;
  readonly #hostResolvConf: () => Promise<string>;
  readonly #detach = new Map<string, () => void>();
  #server: Promise<EmbeddedDnsServer> | null = null;

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
   * Registers the sandbox (known by its gateway-bridge address) and redirects its 127.0.0.11:53 to the
   * server, started on first use; returns the resolv.conf its container gets.
   */
  async attach(sandboxId: string, netns: string, gatewayIp: string, networks: readonly string[], external: boolean): Promise<string> {
    this.#server ??= EmbeddedDnsServer.start({ listenAddress: this.#listenAddress, resolver: this.#resolver });
    const server = this.#server;
    await server.catch((err: unknown) => {
      if (this.#server === server) this.#server = null; // the next sandbox tries again
      throw err;
    });
    this.#detach.get(sandboxId)?.();
    this.#detach.set(sandboxId, this.#resolver.setSandbox(gatewayIp, { networks, external }));
    const dns = await programSandboxDns(netns, this.#listenAddress, { hostResolvConf: await this.#hostResolvConf() });
    return dns.resolvConf;
  }

  detach(sandboxId: string): void {
    this.#detach.get(sandboxId)?.();
    this.#detach.delete(sandboxId);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server !== null) await (await server.catch(() => null))?.close();
  }
}
