// The glue between what the managers send and the node's overlay driver: sandboxes for tasks (one
// endpoint per network attachment, with the address the managers allocated), and each network's
// peers (every running endpoint cluster-wide, as static FDB/neighbour entries) kept in step with the
// directory that arrives with the assignments.
import { readFile } from 'node:fs/promises';
import { DOCKER_GWBRIDGE, NetworkError, type EncryptionKeyLike, type OverlayDriver, type OverlayNetworkSpec, type Peer } from '../network/index.js';
import type { AssignedTask, Assignments, NetworkAttachment } from '../worker/task.js';
import { NetworkDirectoryMirror, type NetworkRecord } from './directory.js';
import { SandboxDns } from './dns.js';
import { IngressGlue } from './ingress.js';
import { PortPublisher, type PortMapping } from '../network/ingress/port-publisher.js';
import { specFromInfo } from './spec.js';
import { programServiceVips, type VipTable } from './service-vips.js';
import type { NetworkInfo } from './types.js';

export interface DataplaneOptions {
  /** Makes the node's driver once the managers said which VXLAN port the cluster uses. */
  readonly driver: (dataPathPort: number | undefined) => OverlayDriver;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** The gateway bridge's own address, where the embedded DNS listens. Default: docker_gwbridge's 172.18.0.1. */
  readonly gatewayAddress?: string;
  /**
   * Standalone containers that still run in a sandbox of this data plane from before a daemon restart:
   * start-up keeps and adopts their sandboxes instead of reclaiming them. Asked once, at that time.
   */
  readonly liveContainers?: () => readonly LiveContainer[];
}

export interface LiveContainer {
  readonly id: string;
  /** `docker run -p`: published again once the sandbox is adopted. */
  readonly ports: readonly PortMapping[];
  /** The container's own namespace, when its sandbox was made there (its first network came by `network connect`). */
  readonly netnsPath?: string;
}

/** What a task's container needs from the data plane. */
export interface TaskSandbox {
  /** The sandbox's namespace file: the container's network namespace. */
  readonly netnsPath: string;
  /** Points at the embedded DNS (127.0.0.11); absent when the sandbox could not get DNS (logged). */
  readonly resolvConf?: string;
}

export interface LocalNetworkView {
  readonly info: NetworkInfo;
  /** Sandboxes (task IDs) attached here, with their address on the network. */
  readonly sandboxes: readonly { readonly id: string; readonly ip: string; readonly prefixLen: number; readonly mac: string }[];
  /** Remote endpoints programmed as peers. */
  readonly peers: readonly Peer[];
  /** The nodes with endpoints on the network, this one included: hostname and data-path address. */
  readonly nodes: readonly { readonly name: string; readonly ip: string }[];
}

const VXLAN_ID_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';

function stripPrefix(cidr: string): { ip: string; prefixLen?: number } {
  const [ip = '', len] = cidr.split('/');
  return len === undefined ? { ip } : { ip, prefixLen: Number(len) };
}

/** The network as the task's own attachment describes it: the fallback when the directory has not got it. */
function specFromAttachment(a: NetworkAttachment): OverlayNetworkSpec {
  const n = a.Network as { ID: string; DriverState?: { Options?: Record<string, string> }; IPAMOptions?: { Configs?: { Subnet?: string; Gateway?: string }[] } };
  const config = n.IPAMOptions?.Configs?.[0];
  return { id: n.ID, vni: Number(n.DriverState?.Options?.[VXLAN_ID_OPTION]), subnet: config?.Subnet ?? '', gateway: config?.Gateway ?? '' };
}


interface SandboxRecord {
  readonly netns: string;
  /** Networks in attachment order. */
  readonly networks: readonly string[];
  /** Service VIPs programmed in it. */
  vips: VipTable;
}

/** What a sandbox on `networks` balances: every VIP-mode service on them, to its running tasks there. */
export function wantedVips(directory: NetworkDirectoryMirror, networks: readonly string[]): VipTable {
  const wanted = new Map<string, string[]>();
  for (const id of networks) {
    const record = directory.get(id);
    if (record === undefined) continue;
    for (const s of record.services.values()) {
      if (s.Mode !== 'vip' || s.Vip === undefined) continue;
      const backends = [...record.endpoints.values()].filter((e) => e.ServiceID === s.ID).map((e) => e.Addr);
      wanted.set(s.Vip, backends.sort());
    }
  }
  return wanted;
}

/** One entry per node (by data-path address), named by its hostname, or its address if not known. */
export function nodesOf(record: NetworkRecord): { name: string; ip: string }[] {
  const byVtep = new Map<string, string>();
  for (const e of record.endpoints.values()) if (!byVtep.has(e.Vtep) || e.Host) byVtep.set(e.Vtep, e.Host || e.Vtep);
  return [...byVtep].map(([ip, name]) => ({ name, ip })).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

export function peersOf(record: NetworkRecord): Peer[] {
  return [...record.endpoints.values()].map((e) => ({ ip: e.Addr, mac: e.Mac, vtep: e.Vtep }));
}

export class Dataplane {
  readonly #makeDriver: DataplaneOptions['driver'];
  #made: { readonly driver: OverlayDriver; readonly ingress: IngressGlue } | null = null;
  readonly #log: DataplaneOptions['log'];
  readonly #directory = new NetworkDirectoryMirror();
  /** The last parameters of every network the directory had: a network stays listed until its last sandbox goes. */
  readonly #infos = new Map<string, NetworkInfo>();
  readonly #sandboxes = new Map<string, SandboxRecord>();
  #vipQueue: Promise<void> = Promise.resolve();
  readonly #dns: SandboxDns;
  readonly #publisher: PortPublisher;
  /** What standalone containers publish, kept while they have a sandbox (`docker run -p`). */
  readonly #containerPorts = new Map<string, readonly PortMapping[]>();
  /** The managers' network key ring, kept for the driver made later. */
  #networkKeys: readonly EncryptionKeyLike[] = [];
  #reclaimed = false;
  readonly #liveContainers: () => readonly LiveContainer[];

  constructor(options: DataplaneOptions) {
    this.#makeDriver = options.driver;
    this.#liveContainers = options.liveContainers ?? (() => []);
    this.#log = options.log;
    this.#publisher = new PortPublisher({ gatewayBridge: DOCKER_GWBRIDGE.name });
    this.#dns = new SandboxDns(options.gatewayAddress ?? DOCKER_GWBRIDGE.gateway, () => readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
  }

  /** The driver, made by the first full assignments message (which carries the cluster's data path port). */
  get #driver(): OverlayDriver {
    if (this.#made === null) throw new NetworkError('not-found', 'the overlay data plane is not ready: no assignments from the managers yet');
    return this.#made.driver;
  }

  get directory(): NetworkDirectoryMirror {
    return this.#directory;
  }

  /** The key ring of encrypted overlays, from the session: the driver re-keys their ESP to it. */
  async setNetworkKeys(keys: readonly EncryptionKeyLike[]): Promise<void> {
    this.#networkKeys = keys;
    if (this.#made !== null) await this.#made.driver.setNetworkKeys(keys);
  }

  /**
   * Takes in the networks of an assignments message and reprograms the peers of those that changed.
   * The first full message also reclaims what a previous run left: sandboxes other than those of
   * `liveTasks` (tasks whose containers still run and are adopted) and networks nothing here uses.
   */
  async applyNetworks(kind: 'full' | 'incremental', changes: Assignments, liveTasks: readonly AssignedTask[]): Promise<void> {
    if (this.#made === null) {
      if (kind !== 'full') return; // a full message always comes first on a stream
      const driver = this.#makeDriver(changes.dataPathPort);
      this.#made = { driver, ingress: new IngressGlue(driver, this.#publisher, this.#log) };
      await driver.setNetworkKeys(this.#networkKeys);
    }
    const networks = changes.networks ?? [];
    const delta = this.#directory.apply(kind, networks, changes.removedNetworks ?? []);
    for (const n of networks) this.#infos.set(n.Network.ID, n.Network);
    if (kind === 'full' && !this.#reclaimed) await this.#adopt(liveTasks);
    for (const id of delta.removed) await this.#driver.setPeers(id, []);
    for (const id of delta.changed) {
      const record = this.#directory.get(id);
      if (record === undefined) continue;
      await this.#driver.setPeers(id, peersOf(record)).catch((err) => this.#log('warn', 'programming peers failed', { network: id, err: String(err) }));
    }
    for (const id of delta.removed) this.#dns.setNetwork(id, undefined);
    for (const id of delta.changed) this.#dns.setNetwork(id, this.#directory.get(id));
    const touched = new Set([...delta.changed, ...delta.removed]);
    for (const [id, sb] of this.#sandboxes) if (sb.networks.some((n) => touched.has(n))) await this.#syncVips(id, sb);
    await this.#made.ingress.sync(this.#directory.list().find((r) => r.info.Ingress));
  }

  /**
   * Start-up: reclaims what a previous run left and takes the sandboxes of adopted tasks and of standalone
   * containers that still run back (VIPs, DNS, published ports).
   */
  async #adopt(liveTasks: readonly AssignedTask[]): Promise<void> {
    const networks = this.#directory.list();
    const containers = this.#liveContainers();
    await this.#driver.reclaimStale({
      networks: networks.map((r) => r.info.ID),
      encrypted: networks.filter((r) => r.info.Encrypted).map((r) => r.info.ID),
      sandboxes: [...liveTasks.map((t) => t.ID), ...containers.map((c) => c.id)],
      foreign: containers.flatMap((c) => (c.netnsPath === undefined ? [] : [{ id: c.id, netns: c.netnsPath }])),
    });
    await this.#publisher.reset();
    this.#reclaimed = true;
    for (const task of liveTasks) {
      const info = this.#driver.sandboxInfo(task.ID);
      if (info === undefined) continue;
      const sb: SandboxRecord = { netns: info.netns, networks: info.endpoints.map((e) => e.networkId), vips: new Map() };
      this.#sandboxes.set(task.ID, sb);
      await this.#publishHostPorts(task.ID, task.ServiceID, sb).catch((err) => this.#log('warn', 'publishing an adopted task\'s ports failed', { task: task.ID, err: String(err) }));
      await this.#attachDns(task.ID, sb);
    }
    for (const container of containers) {
      const info = this.#driver.sandboxInfo(container.id);
      if (info === undefined) continue;
      const sb: SandboxRecord = { netns: info.netns, networks: info.endpoints.map((e) => e.networkId), vips: new Map() };
      this.#sandboxes.set(container.id, sb);
      this.#containerPorts.set(container.id, container.ports);
      await this.#containerSandboxChanged(container.id, sb).catch((err) => this.#log('warn', 'adopting a container\'s sandbox failed', { container: container.id, err: String(err) }));
    }
  }

  /** Serialized, and the wanted state read when the turn comes, so an older view never lands last. */
  #syncVips(sandboxId: string, sb: SandboxRecord): Promise<void> {
    this.#vipQueue = this.#vipQueue.then(async () => {
      if (this.#sandboxes.get(sandboxId) !== sb) return;
      const wanted = wantedVips(this.#directory, sb.networks);
      try {
        await programServiceVips(sb.netns, sb.vips, wanted);
        sb.vips = wanted;
      } catch (err) {
        this.#log('warn', 'programming service VIPs failed', { task: sandboxId, err: String(err) });
      }
    });
    return this.#vipQueue;
  }

  /** A sandbox with one endpoint per attachment; undefined for a task on no network (it gets its own namespace). */
  async prepare(task: AssignedTask): Promise<TaskSandbox | undefined> {
    const attachments = task.NetworksAttachments ?? [];
    if (attachments.length === 0) return undefined;
    const netnsPath = await this.#driver.createSandbox(task.ID);
    try {
      for (const a of attachments) {
        const record = this.#directory.get(a.Network.ID);
        const spec = record === undefined ? specFromAttachment(a) : specFromInfo(record.info);
        const address = stripPrefix(a.Addresses[0] ?? '');
        await this.#driver.attach(task.ID, spec, { ip: address.ip, ...(address.prefixLen !== undefined ? { prefixLen: address.prefixLen } : {}) });
      }
    } catch (err) {
      await this.release(task.ID);
      throw err;
    }
    const sb: SandboxRecord = { netns: netnsPath, networks: attachments.map((a) => a.Network.ID), vips: new Map() };
    this.#sandboxes.set(task.ID, sb);
    try {
      await this.#publishHostPorts(task.ID, task.ServiceID, sb);
    } catch (err) {
      await this.release(task.ID);
      throw err;
    }
    await this.#syncVips(task.ID, sb);
    const resolvConf = await this.#attachDns(task.ID, sb);
    return { netnsPath, ...(resolvConf !== undefined ? { resolvConf } : {}) };
  }

  /**
   * Host-mode published ports (`--publish mode=host`): the node's addresses forward them to this task,
   * so they answer only where a task runs. A port another task or container here holds is refused with
   * Docker's "port is already allocated", which fails the task (the scheduler then tries elsewhere).
   */
  async #publishHostPorts(sandboxId: string, serviceId: string, sb: SandboxRecord): Promise<void> {
    const service = sb.networks.map((id) => this.#directory.get(id)?.services.get(serviceId)).find((s) => s !== undefined);
    const mappings: PortMapping[] = (service?.Ports ?? [])
      .filter((p) => p.PublishMode === 'host' && p.PublishedPort > 0)
      .map((p) => ({ protocol: p.Protocol, publishedPort: p.PublishedPort, targetPort: p.TargetPort }));
    const gateway = this.#driver.sandboxInfo(sandboxId)?.gateway;
    if (mappings.length === 0 || gateway === undefined) return;
    await this.#publisher.publish(`task:${sandboxId}`, gateway.ip, mappings);
  }

  /**
   * A standalone container's sandbox on an attachable network (the managers gave it `address`): the
   * sandbox is named after the container, so its path is known before it exists (see sandboxPath).
   * On a sandbox that exists this adds the network (`network connect`); `netnsPath` adopts the
   * namespace of a container that runs in one of its own (started without a swarm network).
   */
  async prepareContainer(containerId: string, network: NetworkInfo, address: string, netnsPath?: string): Promise<TaskSandbox> {
    this.#infos.set(network.ID, network);
    const before = this.#sandboxes.get(containerId);
    const netns = await this.#driver.createSandbox(containerId, netnsPath);
    try {
      const { ip, prefixLen } = stripPrefix(address);
      await this.#driver.attach(containerId, specFromInfo(network), { ip, ...(prefixLen !== undefined ? { prefixLen } : {}) });
    } catch (err) {
      if (before === undefined) await this.release(containerId);
      throw err;
    }
    const networks = [...(before?.networks ?? []).filter((id) => id !== network.ID), network.ID];
    const sb: SandboxRecord = { netns, networks, vips: before?.vips ?? new Map() };
    this.#sandboxes.set(containerId, sb);
    return this.#containerSandboxChanged(containerId, sb);
  }

  /** Takes a network out of a standalone container's sandbox (`network disconnect`); the sandbox stays. */
  async disconnectContainer(containerId: string, networkId: string): Promise<TaskSandbox | undefined> {
    const before = this.#sandboxes.get(containerId);
    if (before === undefined) return undefined;
    await this.#driver.detach(containerId, networkId);
    const sb: SandboxRecord = { netns: before.netns, networks: before.networks.filter((id) => id !== networkId), vips: before.vips };
    this.#sandboxes.set(containerId, sb);
    return this.#containerSandboxChanged(containerId, sb);
  }

  /** VIPs, DNS and published ports follow a standalone sandbox's networks; without a gateway leg it publishes no ports. */
  async #containerSandboxChanged(containerId: string, sb: SandboxRecord): Promise<TaskSandbox> {
    await this.#syncVips(containerId, sb);
    const resolvConf = await this.#attachDns(containerId, sb);
    if (resolvConf === undefined) await this.#dns.detach(containerId);
    const gateway = this.#driver.sandboxInfo(containerId)?.gateway;
    const ports = this.#containerPorts.get(containerId) ?? [];
    if (ports.length > 0) await this.#publisher.publish(`task:${containerId}`, gateway?.ip ?? '0.0.0.0', gateway === undefined ? [] : ports);
    return { netnsPath: sb.netns, ...(resolvConf !== undefined ? { resolvConf } : {}) };
  }

  /**
   * The ports a standalone container publishes (`docker run -p`): forwarded from the node's addresses
   * to its gateway-bridge address while its sandbox has one, as dockerd does through docker_gwbridge.
   * Refused, before anything changes, for a port another container or task holds and for SCTP on a
   * kernel without it.
   */
  async publishContainerPorts(containerId: string, ports: readonly PortMapping[]): Promise<void> {
    const gateway = this.#driver.sandboxInfo(containerId)?.gateway;
    if (gateway !== undefined && ports.length > 0) await this.#publisher.publish(`task:${containerId}`, gateway.ip, ports);
    this.#containerPorts.set(containerId, ports);
  }

  /** The namespace of a sandbox this data plane prepared and still has; undefined otherwise. */
  sandboxPath(sandboxId: string): string | undefined {
    return this.#sandboxes.get(sandboxId)?.netns;
  }

  /** DNS at 127.0.0.11; a sandbox without a gateway leg (internal networks only) is answered inside it, with no way out. */
  async #attachDns(sandboxId: string, sb: SandboxRecord): Promise<string | undefined> {
    const gateway = this.#driver.sandboxInfo(sandboxId)?.gateway;
    try {
      return await this.#dns.attach(sandboxId, sb.netns, gateway === undefined ? { kind: 'internal' } : { kind: 'gateway', ip: gateway.ip }, sb.networks);
    } catch (err) {
      this.#log('warn', 'embedded DNS unavailable for a sandbox', { task: sandboxId, err: String(err) });
      return undefined;
    }
  }

  /** Stops the DNS server; sandboxes and networks stay for the next start to adopt. */
  async close(): Promise<void> {
    await this.#dns.close();
  }

  /** Removes the task's sandbox (its container must have stopped); networks it was the last user of go too. */
  async release(taskId: string): Promise<void> {
    if (this.#made === null) return;
    const published = this.#sandboxes.delete(taskId);
    this.#containerPorts.delete(taskId);
    await this.#dns.detach(taskId);
    if (published) await this.#publisher.unpublish(`task:${taskId}`).catch((err) => this.#log('warn', 'withdrawing published ports failed', { task: taskId, err: String(err) }));
    await this.#driver.removeSandbox(taskId).catch((err) => this.#log('warn', 'removing a sandbox failed', { task: taskId, err: String(err) }));
  }

  /**
   * The overlay networks instantiated on this node, with their sandboxes and peers, and the ingress
   * network, which every node lists (joined or not).
   */
  localNetworks(): LocalNetworkView[] {
    if (this.#made === null) return [];
    const views: LocalNetworkView[] = [];
    const here = new Set(this.#driver.networkList().map((n) => n.id));
    for (const id of this.#infos.keys()) if (!here.has(id) && this.#directory.get(id) === undefined) this.#infos.delete(id);
    for (const local of this.#driver.networkList()) {
      const info = this.#infos.get(local.id);
      if (info === undefined) continue;
      const record = this.#directory.get(local.id);
      const sandboxes = local.holders
        .filter((h) => h.startsWith('sandbox:'))
        .map((h) => h.slice('sandbox:'.length))
        .flatMap((id) => {
          const e = this.#driver.sandboxInfo(id)?.endpoints.find((x) => x.networkId === local.id);
          return e === undefined ? [] : [{ id, ip: e.ip, prefixLen: e.prefixLen, mac: e.mac }];
        });
      views.push({ info, sandboxes, peers: record === undefined ? [] : peersOf(record), nodes: record === undefined ? [] : nodesOf(record) });
    }
    const ingress = this.#directory.list().find((r) => r.info.Ingress);
    if (ingress !== undefined && !here.has(ingress.info.ID)) views.push({ info: ingress.info, sandboxes: [], peers: [], nodes: [] });
    return views;
  }
}
