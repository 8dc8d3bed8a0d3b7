// Names on user-defined bridge networks, as dockerd's embedded resolver gives them: each container's
// name, aliases and short ID resolve to its address on the networks it shares with the asker. One
// server per network listens on the bridge's gateway address; a container's 127.0.0.11:53 is DNATed
// to the gateway of its first such network and masqueraded to its address there, which tells the
// server who asks. Names not on the networks go to the host's resolvers. The default bridge has no
// embedded DNS (the container gets the host's resolv.conf).
import { EmbeddedDnsServer, ServiceDirectory, programSandboxDns, removeSandboxDns, type NetworkRecords } from '@shoal/agent';
import { readFile } from 'node:fs/promises';

export interface DnsEndpoint {
  readonly ip: string;
  readonly names: readonly string[];
}

export class BridgeDns {
  readonly #directory = new ServiceDirectory();
  /** By network ID: the server listening on that bridge's gateway. */
  readonly #servers = new Map<string, EmbeddedDnsServer>();
  /** By container ID: undoes its registration as an asker. */
  readonly #askers = new Map<string, () => void>();

  /** Replaces the names known on a network. */
  setNetwork(networkId: string, name: string, endpoints: readonly DnsEndpoint[]): void {
    const records: NetworkRecords = { name, services: [], endpoints: endpoints.map((e) => ({ names: e.names, ipv4: e.ip })) };
    this.#directory.setNetwork(networkId, records);
  }

  /**
   * Lets the container ask about `networks` (ID → its address and the gateway there), in the order it
   * joined them; returns the resolv.conf it gets.
   */
  async attach(containerId: string, netns: string, networks: readonly { id: string; ip: string; gateway: string }[]): Promise<string> {
    this.detach(containerId);
    const first = networks[0];
    if (first === undefined) throw new Error('BridgeDns.attach needs at least one network'); // a caller's bug
    for (const n of networks) await this.#listen(n.id, n.gateway);
    const asker = { networks: networks.map((n) => n.id), external: true };
    const undo = networks.map((n) => this.#directory.setSandbox(n.ip, asker));
    this.#askers.set(containerId, () => undo.forEach((u) => u()));
    const hostResolvConf = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    return (await programSandboxDns(netns, first.gateway, { hostResolvConf })).resolvConf;
  }

  /** Forgets the container as an asker; with `netns`, also removes its redirect (it has no such network left). */
  async detachFrom(containerId: string, netns: string): Promise<void> {
    this.detach(containerId);
    await removeSandboxDns(netns);
  }

  detach(containerId: string): void {
    this.#askers.get(containerId)?.();
    this.#askers.delete(containerId);
  }

  async #listen(networkId: string, gateway: string): Promise<void> {
    let server = this.#servers.get(networkId);
    if (server === undefined) this.#servers.set(networkId, (server = new EmbeddedDnsServer({ resolver: this.#directory })));
    await server.listenOnGateway(gateway);
  }

  /** The network went: its server stops and its names go. */
  async removeNetwork(networkId: string): Promise<void> {
    this.#directory.removeNetwork(networkId);
    const server = this.#servers.get(networkId);
    this.#servers.delete(networkId);
    await server?.close();
  }

  async close(): Promise<void> {
    const all = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
