// Containers on bridge networks: the default `bridge` (`docker run` without --network) and the
// user-defined ones. The container routes get the runtime wrapped: a container whose network mode is a
// bridge network gets a namespace of its own at create (kept until it is removed) and, at each start
// before its process runs, one veth leg per bridge network with an address, its published ports
// (DNAT from the node's addresses to its first leg, as dockerd's DOCKER chain) and, on user-defined
// networks, the embedded DNS. The legs, ports and addresses go when it stops. The Linux bridge of a
// network is made with its first leg and kept until the network is removed.
import { NetnsFiles, PortPublisher, PublishError, addBridgeEndpoint, applyBridgeNat, ensureLocalBridge, linkNames, parseCidr, removeBridgeEndpoint, removeLocalBridge, sandboxResolvConf, type ContainerRecord, type ContainerRuntime, type ContainerSpec } from '@shoal/agent';
import { readFile } from 'node:fs/promises';
import { passesPruneFilters, type NetworkResource } from '@shoal/manager';
import { ForbiddenError, InternalError, InvalidArgumentError, NotFoundError, NotImplementedError } from '../../api/errors.js';
import { ALIAS_ON_PREDEFINED } from '../../containers/create-request.js';
import { endpointId } from '../container-endpoints.js';
import { KeyedSerial, pointResolvConf } from '../container-steps.js';
import { BridgeDns } from './dns.js';
import { BridgeEndpoints, bridgeEndpointSettings } from './endpoints.js';
import { hostIfname } from './pools.js';
import type { BridgeNetwork, BridgeNetworkStore } from './store.js';

type Log = (msg: string, fields: Record<string, unknown>) => void;

/** The nft table of ports published to bridge legs (the swarm data plane has its own). */
const BRIDGE_PORTS_TABLE = 'shoal_bridge_ports';

export interface BridgeNetworkingOptions {
  readonly statePath: string;
  /** Where containers' namespaces are pinned. */
  readonly netnsDir: string;
  readonly log: Log;
}

export class BridgeNetworking<R extends ContainerRuntime> {
  readonly runtime: R;
  readonly endpoints: BridgeEndpoints;
  readonly #target: R;
  readonly #store: BridgeNetworkStore;
  readonly #netns: NetnsFiles;
  readonly #log: Log;
  readonly #publisher = new PortPublisher({ table: BRIDGE_PORTS_TABLE });
  readonly #dns = new BridgeDns();
  /** Networks whose Linux bridge exists. */
  readonly #active = new Set<string>();
  /** Per container. */
  readonly #queue = new KeyedSerial();
  /** The node's shared state: 'bridges' (links and NAT table) and 'ports' (the publisher checks, then applies). */
  readonly #node = new KeyedSerial();

  constructor(runtime: R, store: BridgeNetworkStore, options: BridgeNetworkingOptions) {
    this.#target = runtime;
    this.#store = store;
    this.#netns = new NetnsFiles(options.netnsDir);
    this.#log = options.log;
    this.endpoints = new BridgeEndpoints(options.statePath);
    runtime.subscribe((record) => this.#onChange(record));
    this.runtime = new Proxy(runtime, {
      get: (target, prop, receiver) => {
        if (prop === 'create') return (spec: ContainerSpec) => this.#create(spec);
        if (prop === 'start') return (id: string) => this.#start(id);
        if (prop === 'stop') return (id: string, timeoutSec: number) => this.#settled(id, () => runtime.stop(id, timeoutSec));
        if (prop === 'remove') return (id: string, force: boolean) => this.#settled(id, () => runtime.remove(id, force));
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /**
   * After a restart of shoald: bridges that exist are known again, running containers get their ports
   * and names back (their legs stayed), and legs of containers that stopped meanwhile go.
   */
  async restore(): Promise<void> {
    const links = new Set(await linkNames());
    for (const n of this.#store.list()) if (links.has(n.ifname)) this.#active.add(n.id);
    // The table is ours alone: what a previous run published is published again below.
    if (this.endpoints.containers().length > 0) await this.#publisher.reset();
    for (const id of this.endpoints.containers()) {
      const record = this.#target.get(id);
      if (record === undefined || record.removed === true) {
        this.endpoints.forget(id);
        await this.#netns.remove(id).catch(() => undefined);
      } else if (record.state.status === 'running') {
        await this.#serial(id, () => this.#services(record)).catch((err: unknown) => this.#log('could not restore a container\'s bridge networking', { id, err: String(err) }));
      } else {
        await this.#serial(id, () => this.#release(id));
      }
    }
    this.#refreshAllDns();
  }

  /** `default`, `bridge`, or the name or ID of a bridge network. */
  networkOf(mode: string | undefined): BridgeNetwork | undefined {
    return this.#store.find(mode ?? 'default');
  }

  /** NetworkSettings.Networks entries of the container's bridge networks. */
  networksView(containerId: string): Record<string, unknown> {
    return Object.fromEntries(this.endpoints.list(containerId).map((e) => [e.networkName, bridgeEndpointSettings(containerId, this.#store.get(e.networkId), e)]));
  }

  /** `network inspect`'s Containers of a bridge network. */
  containersOn(network: BridgeNetwork): Record<string, unknown> {
    const prefixLen = parseCidr(network.subnet).prefixLen;
    return Object.fromEntries(this.endpoints.on(network.id).map(({ containerId, endpoint }) => [containerId, {
      Name: this.#target.get(containerId)?.spec.name ?? containerId,
      EndpointID: endpointId(containerId, network.id),
      MacAddress: bridgeEndpointSettings(containerId, network, endpoint).MacAddress,
      IPv4Address: `${endpoint.ip}/${prefixLen}`,
      IPv6Address: '',
    }]));
  }

  /** `network rm` of a user-defined bridge: refused while containers are on it, as dockerd (403). */
  async removeNetwork(network: BridgeNetwork): Promise<void> {
    if (this.endpoints.on(network.id).length > 0) {
      throw new ForbiddenError(`error while removing network: network ${network.name} id ${network.id} has active endpoints`);
    }
    this.#store.remove(network.id);
    await this.#dns.removeNetwork(network.id);
    await this.#node.run('bridges', async () => {
      if (!this.#active.delete(network.id)) return;
      await removeLocalBridge(network.ifname);
      await this.#applyNat();
    });
  }

  /** `network prune`: the user-defined networks no container is on that pass the filters, removed; their names. */
  async prune(filters: Record<string, string[]>, resource: (n: BridgeNetwork) => NetworkResource): Promise<string[]> {
    const now = new Date().toISOString();
    const unused = this.#store.list().filter((n) => !n.isDefault && this.endpoints.on(n.id).length === 0 && passesPruneFilters(resource(n), n.created, filters, now));
    for (const n of unused) await this.removeNetwork(n);
    return unused.map((n) => n.name);
  }

  async close(): Promise<void> {
    await this.#dns.close();
  }

  /** `network connect` of a bridge network. */
  async connect(network: BridgeNetwork, containerRef: string, aliases: readonly string[], ipv4: string | undefined): Promise<void> {
    const record = this.#require(containerRef);
    const id = record.spec.id;
    if (this.networkOf(record.spec.networkMode) === undefined) {
      const mode = record.spec.networkMode ?? 'default';
      if (mode === 'host' || mode.startsWith('container:')) throw new InvalidArgumentError('container sharing network namespace with another container or host cannot be connected to any other network');
      if (mode === 'none') throw new InvalidArgumentError('container cannot be connected to multiple networks with one of the networks in private (none) mode');
      throw new NotImplementedError(`connecting a container on swarm network ${mode} to the bridge network ${network.name} is not supported`);
    }
    if (network.isDefault && aliases.length > 0) throw new InvalidArgumentError(ALIAS_ON_PREDEFINED);
    return this.#serial(id, async () => {
      if (this.endpoints.get(id, network.id) !== undefined) throw new ForbiddenError(`endpoint with name ${record.spec.name} already exists in network ${network.name}`);
      this.endpoints.set(id, { networkId: network.id, networkName: network.name, aliases, ...(ipv4 !== undefined ? { requestedIp: ipv4 } : {}) });
      const current = this.#require(id);
      if (current.state.status !== 'running') return;
      try {
        await this.#attachLeg(current, network);
        await this.#services(current);
      } catch (err) {
        await this.#detachLeg(id, network.id);
        await this.#services(current).catch(() => undefined);
        throw err;
      }
    });
  }

  /** `network disconnect` of a bridge network. */
  async disconnect(network: BridgeNetwork, containerRef: string): Promise<void> {
    const record = this.#require(containerRef);
    const id = record.spec.id;
    return this.#serial(id, async () => {
      if (this.endpoints.get(id, network.id) === undefined) throw new InternalError(`container ${id} is not connected to network ${network.name}`);
      await this.#detachLeg(id, network.id);
      this.endpoints.remove(id, network.id);
      const current = this.#require(id);
      if (current.state.status === 'running') await this.#services(current);
    });
  }

  async #create(spec: ContainerSpec): Promise<ContainerRecord> {
    const network = this.networkOf(spec.networkMode);
    if (network === undefined) return this.#target.create(spec);
    const aliases = spec.networkAliases ?? [];
    if (network.isDefault && aliases.length > 0) throw new InvalidArgumentError(ALIAS_ON_PREDEFINED);
    const netnsPath = await this.#netns.create(spec.id);
    try {
      // Embedded DNS on user-defined networks; the host's resolvers on the default bridge (the runtime's default).
      const resolvConf = network.isDefault ? {} : { resolvConf: sandboxResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => '')) };
      const record = await this.#target.create({ ...spec, netnsPath, ...resolvConf });
      this.endpoints.set(spec.id, { networkId: network.id, networkName: network.name, aliases });
      return record;
    } catch (err) {
      await this.#netns.remove(spec.id);
      throw err;
    }
  }

  /**
   * Returns once what the container's stop or removal releases is released, as dockerd's stop and rm
   * do: `network rm` right after them finds no endpoint left.
   */
  async #settled(ref: string, action: () => Promise<void>): Promise<void> {
    const id = this.#target.get(ref)?.spec.id ?? ref;
    await action();
    await this.#serial(id, async () => undefined);
  }

  /** The legs, names and ports are in place before the container's process runs. */
  async #start(ref: string): Promise<void> {
    const record = this.#target.get(ref);
    if (record === undefined || this.endpoints.list(record.spec.id).length === 0) return this.#target.start(record?.spec.id ?? ref);
    const id = record.spec.id;
    return this.#serial(id, async () => {
      try {
        for (const e of this.endpoints.list(id)) {
          const network = this.#store.get(e.networkId);
          if (network === undefined) throw new NotFoundError(`network ${e.networkName} not found`);
          if (e.ip === undefined) await this.#attachLeg(record, network);
        }
        await this.#services(record);
        await this.#target.start(id);
      } catch (err) {
        await this.#release(id);
        throw err;
      }
    });
  }

  async #attachLeg(record: ContainerRecord, network: BridgeNetwork): Promise<void> {
    const id = record.spec.id;
    const entry = this.endpoints.get(id, network.id)!;
    const first = this.endpoints.list(id).every((e) => e.networkId === network.id || e.ip === undefined);
    // Held before the first await: containers starting at once on one network never get one address.
    const ip = this.endpoints.allocate(network, entry.requestedIp);
    this.endpoints.set(id, { ...entry, ip });
    try {
      await this.#ensureBridge(network);
      const ifname = await addBridgeEndpoint({
        bridge: { name: network.ifname, gateway: network.gateway, prefixLen: parseCidr(network.subnet).prefixLen, mtu: network.mtu },
        hostIf: hostIfname(endpointId(id, network.id)), sandbox: this.#netns.path(id), ip, defaultRoute: first,
      });
      this.endpoints.set(id, { ...entry, ip, ifname });
    } catch (err) {
      this.endpoints.set(id, entry);
      throw err;
    }
  }

  async #detachLeg(id: string, networkId: string): Promise<void> {
    const entry = this.endpoints.get(id, networkId);
    if (entry?.ip === undefined) return;
    await removeBridgeEndpoint(hostIfname(endpointId(id, networkId)));
    const { ip: _ip, ifname: _ifname, ...kept } = entry;
    this.endpoints.set(id, kept);
  }

  /** What follows from the container's legs: published ports on the first, DNS over the user-defined ones, every network's names. */
  async #services(record: ContainerRecord): Promise<void> {
    const id = record.spec.id;
    const legs = this.endpoints.list(id).filter((e) => e.ip !== undefined);
    const ports = record.spec.ports ?? [];
    try {
      const first = legs[0];
      await this.#node.run('ports', () => (first === undefined ? this.#publisher.unpublish(record.spec.name) : this.#publisher.publish(record.spec.name, first.ip!, ports)));
    } catch (err) {
      if (err instanceof PublishError) throw new InternalError(err.message, { cause: err });
      throw err;
    }
    const named = legs.flatMap((e) => {
      const n = this.#store.get(e.networkId);
      return n === undefined || n.isDefault ? [] : [{ id: n.id, ip: e.ip!, gateway: n.gateway }];
    });
    if (named.length > 0) {
      const resolvConf = await this.#dns.attach(id, this.#netns.path(id), named);
      if (record.files !== undefined) await pointResolvConf(record.files.resolvConfPath, resolvConf);
    } else this.#dns.detach(id);
    this.#refreshAllDns();
  }

  /** Every user-defined network's names, from the containers holding addresses on it. */
  #refreshAllDns(): void {
    for (const n of this.#store.list()) {
      if (n.isDefault) continue;
      const endpoints = this.endpoints.on(n.id).flatMap(({ containerId, endpoint }) => {
        const name = this.#target.get(containerId)?.spec.name;
        return name === undefined ? [] : [{ ip: endpoint.ip!, names: [name, ...endpoint.aliases, containerId.slice(0, 12)] }];
      });
      this.#dns.setNetwork(n.id, n.name, endpoints);
    }
  }

  /** Bridges and their NAT table change one step at a time, whichever container asks. */
  #ensureBridge(network: BridgeNetwork): Promise<void> {
    return this.#node.run('bridges', async () => {
      if (this.#active.has(network.id)) return;
      await ensureLocalBridge({ name: network.ifname, gateway: network.gateway, prefixLen: parseCidr(network.subnet).prefixLen, mtu: network.mtu });
      this.#active.add(network.id);
      await this.#applyNat();
    });
  }

  async #applyNat(): Promise<void> {
    await applyBridgeNat(this.#store.list().filter((n) => this.#active.has(n.id)).map((n) => ({ name: n.ifname, subnet: n.subnet })));
  }

  #onChange(record: ContainerRecord): void {
    const id = record.spec.id;
    // A container disconnected from every bridge network still has its namespace here.
    if (this.endpoints.list(id).length === 0 && !(record.removed === true && this.#netns.isMounted(id))) return;
    const failed = (err: unknown) => this.#log('releasing a stopped container\'s bridge networking failed', { id, err: String(err) });
    if (record.removed === true) {
      this.#serial(id, async () => {
        await this.#release(id);
        this.endpoints.forget(id);
        await this.#netns.remove(id);
      }).catch(failed);
    } else if (record.state.status === 'exited' || record.state.status === 'dead') {
      this.#serial(id, () => this.#release(id)).catch(failed);
    }
  }

  /** Legs, ports, names and addresses go; the container keeps its networks for its next start. */
  async #release(id: string): Promise<void> {
    for (const e of this.endpoints.list(id)) await this.#detachLeg(id, e.networkId);
    const name = this.#target.get(id)?.spec.name;
    if (name !== undefined) await this.#node.run('ports', () => this.#publisher.unpublish(name));
    this.#dns.detach(id);
    this.#refreshAllDns();
  }

  #require(ref: string): ContainerRecord {
    const record = this.#target.get(ref);
    if (record === undefined) throw new NotFoundError(`No such container: ${ref}`);
    return record;
  }

  #serial<T>(id: string, run: () => Promise<T>): Promise<T> {
    return this.#queue.run(id, run);
  }
}
