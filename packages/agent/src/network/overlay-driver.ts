// The node's overlay data plane: overlay networks that exist on this node exactly while something here
// holds them, sandboxes (the network namespaces of tasks and containers) attached to them, the peers
// of each network, and the gateway bridge. One driver per node; it acts on the network namespace the
// process runs in (the node's), and keeps every other namespace as a file under `netnsDir`. Traffic of
// encrypted networks to a remote host goes through IPsec ESP (ipsec/): its XFRM policy is in place
// before the first FDB entry pointing at that host, and stays until the last one is gone.
import { createHash } from 'node:crypto';
import { tryCommand, ipJson } from './command.js';
import {
  addGatewayEndpoint, addNetworkEndpoint, readEndpoints, removeGatewayEndpoint, removeNetworkEndpoint,
  type GatewayEndpoint, type NetworkEndpoint,
} from './endpoint.js';
import { NetworkError } from './errors.js';
import { requireEsp } from './esp.js';
import { DOCKER_GWBRIDGE, ensureGatewayBridge, gatewayCidr, type GatewayBridgeConfig } from './gateway-bridge.js';
import { allocateGatewayAddress } from './gateway-pool.js';
import { InboundGuard, IpsecReconciler, ipsecKeys, type EncryptionKeyLike } from './ipsec/index.js';
import { cidrContains, macFromIp, normalizeMac, parseIPv4, type Cidr } from './ipv4.js';
import { NetnsFiles } from './netns-files.js';
import {
  BRIDGE, DEFAULT_DATA_PATH_PORT, DEFAULT_OVERLAY_MTU, ensureOverlayNamespace, networkNamespaceName, readOverlayVni,
  removeOverlayNamespace, resolveSpec, type OverlayNetworkSpec, type Underlay,
} from './overlay-netns.js';
import { EMPTY_PEERS, peerTable, programPeers, readPeers, type Peer, type PeerTable } from './peers.js';
import { Serial } from './serial.js';

export interface OverlayDriverOptions {
  /** Directory for namespace files (the node's own, e.g. <data root>/netns). */
  readonly netnsDir: string;
  /** This node's data-path address: the VXLAN source address, and how peers name this node (vtep). */
  readonly dataPathAddr: string;
  /** VXLAN UDP port (swarm's --data-path-port). Default 4789. */
  readonly dataPathPort?: number;
  /** Default docker_gwbridge, 172.18.0.0/16, gateway 172.18.0.1. */
  readonly gatewayBridge?: GatewayBridgeConfig;
}

export interface EndpointSpec {
  readonly ip: string;
  /** Default: the network's subnet's prefix length. */
  readonly prefixLen?: number;
  /** Default: Docker's 02:42:<ip bytes>. */
  readonly mac?: string;
}

export interface LocalNetwork {
  readonly id: string;
  readonly vni: number;
  readonly mtu: number;
  /** Path of the network's namespace (br0 + vxlan0), e.g. for load-balancer rules inside it. */
  readonly netns: string;
  /** Who holds it here: `sandbox:<id>` for attached sandboxes, and acquire()'s holder names. */
  readonly holders: readonly string[];
}

export interface SandboxInfo {
  readonly id: string;
  /** The namespace file: give it to runc as the task's network namespace path. */
  readonly netns: string;
  readonly endpoints: readonly NetworkEndpoint[];
  /** Present while an attached network is not internal: the sandbox's way out, and its default route. */
  readonly gateway: GatewayEndpoint | undefined;
}

interface NetworkState {
  readonly id: string;
  readonly vni: number;
  readonly mtu: number;
  readonly netns: string;
  readonly encrypted: boolean;
  readonly holders: Set<string>;
  /** What is programmed in the kernel right now. */
  programmed: PeerTable;
}

interface SandboxState {
  readonly id: string;
  readonly netns: string;
  readonly endpoints: Map<string, NetworkEndpoint>;
  gateway: GatewayEndpoint | undefined;
}

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

export class OverlayDriver {
  private readonly files: NetnsFiles;
  private readonly underlay: Underlay;
  private readonly gw: GatewayBridgeConfig;
  private readonly gwCidr: Cidr;
  private readonly serial = new Serial();
  private readonly networks = new Map<string, NetworkState>();
  private readonly sandboxes = new Map<string, SandboxState>();
  /** Peers by network, kept also for networks not (yet) on this node: programmed when they arrive. */
  private readonly wantedPeers = new Map<string, PeerTable>();
  private readonly ipsec: IpsecReconciler;
  /** Drops encrypted networks' VXLAN that arrives without ESP. */
  private readonly inbound: InboundGuard;
  private gatewayReady = false;

  constructor(options: OverlayDriverOptions) {
    parseIPv4(options.dataPathAddr);
    this.files = new NetnsFiles(options.netnsDir);
    this.underlay = { addr: options.dataPathAddr, port: options.dataPathPort ?? DEFAULT_DATA_PATH_PORT };
    this.gw = options.gatewayBridge ?? DOCKER_GWBRIDGE;
    this.gwCidr = gatewayCidr(this.gw);
    this.ipsec = new IpsecReconciler({ localAddr: this.underlay.addr, dataPathPort: this.underlay.port });
    this.inbound = new InboundGuard(this.underlay.port);
  }

  /** The managers' network key ring (from the session): SAs are re-keyed to it; encrypted networks need one. */
  setNetworkKeys(keys: readonly EncryptionKeyLike[]): Promise<void> {
    return this.serial.run(async () => {
      const ring = ipsecKeys(keys);
      if (ring !== undefined) await this.ipsec.setKeys(ring);
    });
  }

  /** Creates the network here if it is not (idempotent); refuses encrypted networks where ESP is missing. */
  ensureNetwork(spec: OverlayNetworkSpec): Promise<LocalNetwork> {
    return this.serial.run(async () => this.describe(await this.ensure(spec)));
  }

  /** Records `holder` as a user of the network, creating it here if needed. */
  acquire(spec: OverlayNetworkSpec, holder: string): Promise<LocalNetwork> {
    return this.serial.run(async () => {
      const state = await this.ensure(spec);
      state.holders.add(holder);
      return this.describe(state);
    });
  }

  /** Drops `holder`; the network is removed from this node when its last holder goes. */
  release(networkId: string, holder: string): Promise<void> {
    return this.serial.run(() => this.releaseHolder(networkId, holder));
  }

  /** Removes the network from this node whoever holds it (sandboxes still attached lose the interface). */
  removeNetwork(networkId: string): Promise<void> {
    return this.serial.run(async () => {
      for (const sb of this.sandboxes.values()) {
        if (!sb.endpoints.has(networkId)) continue;
        await this.detachEndpoint(sb, networkId);
        await this.reconcileGateway(sb);
      }
      await this.removeLocal(networkId);
    });
  }

  /**
   * The network's remote endpoints, as a full list (entries not listed any more are removed). Entries
   * whose vtep is this node are skipped. Kept for networks not on this node yet, and programmed when
   * they arrive; an empty list forgets the network's peers.
   */
  setPeers(networkId: string, peers: readonly Peer[]): Promise<void> {
    return this.serial.run(async () => {
      const wanted = peerTable(peers, this.underlay.addr);
      if (wanted.neigh.size === 0) this.wantedPeers.delete(networkId);
      else this.wantedPeers.set(networkId, wanted);
      const state = this.networks.get(networkId);
      if (state !== undefined) await this.program(state, wanted);
    });
  }

  /**
   * Creates a sandbox namespace (idempotent); returns its path for the OCI config. `netns` adopts a
   * namespace someone else made and keeps (a running container's own, for `network connect`):
   * removeSandbox then takes the sandbox's interfaces out of it and leaves the namespace.
   */
  createSandbox(id: string, netns?: string): Promise<string> {
    if (!SANDBOX_ID.test(id)) return Promise.reject(new NetworkError('invalid-argument', `invalid sandbox ID ${JSON.stringify(id)}`));
    return this.serial.run(async () => {
      const existing = this.sandboxes.get(id);
      if (existing !== undefined) return existing.netns;
      if (netns === undefined) netns = await this.files.create(`sb-${id}`);
      this.sandboxes.set(id, { id, netns, endpoints: new Map(), gateway: undefined });
      return netns;
    });
  }

  /**
   * Attaches the sandbox to the network (creating the network here if needed): a veth whose sandbox
   * end is the next free ethN with the endpoint's address and MAC, and the network's MTU. A sandbox's
   * first non-internal network also gives it an interface on the gateway bridge and a default route.
   * Attaching again with the same address is a no-op.
   */
  attach(sandboxId: string, spec: OverlayNetworkSpec, endpoint: EndpointSpec): Promise<NetworkEndpoint> {
    return this.serial.run(async () => {
      const sb = this.sandbox(sandboxId);
      const existing = sb.endpoints.get(spec.id);
      if (existing !== undefined) {
        if (existing.ip === endpoint.ip) return existing;
        throw new NetworkError('conflict', `sandbox ${sandboxId} is already on network ${spec.id} with address ${existing.ip}`);
      }
      const network = resolveSpec(spec);
      const prefixLen = endpoint.prefixLen ?? network.subnet.prefixLen;
      if (!cidrContains(network.subnet, parseIPv4(endpoint.ip))) {
        throw new NetworkError('invalid-argument', `address ${endpoint.ip} is outside network ${spec.id}'s subnet ${spec.subnet}`);
      }
      const state = await this.ensure(spec);
      const holder = `sandbox:${sandboxId}`;
      state.holders.add(holder);
      const e: NetworkEndpoint = {
        kind: 'network', networkId: spec.id, ifname: await this.nextIfname(sb), ip: endpoint.ip, prefixLen,
        mac: endpoint.mac === undefined ? macFromIp(endpoint.ip) : normalizeMac(endpoint.mac), internal: network.internal,
      };
      try {
        await addNetworkEndpoint({ sandbox: sb.netns, networkNetns: state.netns, bridgePort: this.bridgePort(sandboxId), mtu: network.mtu }, e);
        sb.endpoints.set(spec.id, e);
        await this.reconcileGateway(sb);
      } catch (err) {
        if (sb.endpoints.has(spec.id)) await this.detachEndpoint(sb, spec.id);
        else await this.releaseHolder(spec.id, holder);
        throw err;
      }
      return e;
    });
  }

  /** Detaches the sandbox from the network; the network goes when this was its last holder. */
  detach(sandboxId: string, networkId: string): Promise<void> {
    return this.serial.run(async () => {
      const sb = this.sandboxes.get(sandboxId);
      if (sb === undefined || !sb.endpoints.has(networkId)) return;
      await this.detachEndpoint(sb, networkId);
      await this.reconcileGateway(sb);
    });
  }

  /** Detaches everything and deletes the sandbox namespace; repeatable. Stop the sandbox's processes first. */
  removeSandbox(sandboxId: string): Promise<void> {
    return this.serial.run(async () => {
      const sb = this.sandboxes.get(sandboxId);
      if (sb !== undefined) {
        for (const networkId of [...sb.endpoints.keys()]) await this.detachEndpoint(sb, networkId);
        if (sb.gateway !== undefined) await removeGatewayEndpoint(this.gatewayPort(sandboxId));
        this.sandboxes.delete(sandboxId);
      }
      await this.files.remove(`sb-${sandboxId}`);
    });
  }

  /** Creates (or repairs) the gateway bridge with its NAT; attach() does it on first need. */
  ensureGatewayBridge(): Promise<void> {
    return this.serial.run(() => this.ensureGateway());
  }

  /**
   * Start-up: deletes sandboxes and networks (namespaces, links) left by a previous run that are not
   * in the known lists, adopts the known ones with their endpoints and peers from the kernel, and
   * removes known networks that no adopted sandbox uses (nothing here needs them). XFRM entries a
   * previous run made stay for the remotes of adopted encrypted networks (`encrypted`: which known
   * networks are), and the others are removed.
   */
  reclaimStale(known: {
    readonly networks: readonly string[];
    readonly sandboxes: readonly string[];
    readonly encrypted?: readonly string[];
    /** Sandboxes in namespaces someone else made and keeps (see createSandbox's `netns`), to adopt as well. */
    readonly foreign?: readonly { readonly id: string; readonly netns: string }[];
  }): Promise<void> {
    return this.serial.run(async () => {
      await this.ipsec.readKernel();
      const networkIds = new Set(known.networks);
      const encrypted = new Set(known.encrypted ?? []);
      const mounted = this.files.mounted();
      for (const name of mounted) {
        if (!name.startsWith('sb-')) continue;
        const id = name.slice(3);
        if (this.sandboxes.has(id)) continue;
        const netns = this.files.path(name);
        if (known.sandboxes.includes(id)) {
          await this.adoptSandbox(id, netns, networkIds);
          continue;
        }
        for (const e of await readEndpoints(netns)) await tryCommand(['ip', 'link', 'del', e.ifname], { netns });
        await this.files.remove(name);
      }
      for (const { id, netns } of known.foreign ?? []) if (!this.sandboxes.has(id)) await this.adoptSandbox(id, netns, networkIds).catch(() => undefined);
      const knownByName = new Map([...networkIds].map((id) => [networkNamespaceName(id), id]));
      for (const name of mounted) {
        if (!name.startsWith('1-')) continue;
        const id = knownByName.get(name);
        if (id === undefined || !(await this.adoptNetwork(id, encrypted.has(id)))) await removeOverlayNamespace(this.files, name);
      }
      await this.syncIpsec();
      await this.removeStagedVxlans();
    });
  }

  /** Takes a sandbox back with its endpoints from the kernel; endpoints on networks not in `networkIds` go. */
  private async adoptSandbox(id: string, netns: string, networkIds: ReadonlySet<string>): Promise<void> {
    const sb: SandboxState = { id, netns, endpoints: new Map(), gateway: undefined };
    for (const e of await readEndpoints(netns)) {
      if (e.kind === 'gateway') sb.gateway = e;
      else if (networkIds.has(e.networkId)) sb.endpoints.set(e.networkId, e);
      else await tryCommand(['ip', 'link', 'del', e.ifname], { netns });
    }
    this.sandboxes.set(id, sb);
    await this.reconcileGateway(sb);
  }

  networkList(): LocalNetwork[] {
    return [...this.networks.values()].map((s) => this.describe(s));
  }

  network(networkId: string): LocalNetwork | undefined {
    const s = this.networks.get(networkId);
    return s === undefined ? undefined : this.describe(s);
  }

  sandboxInfo(sandboxId: string): SandboxInfo | undefined {
    const sb = this.sandboxes.get(sandboxId);
    return sb === undefined ? undefined : { id: sb.id, netns: sb.netns, endpoints: [...sb.endpoints.values()], gateway: sb.gateway };
  }

  // ---- internals (always called inside serial.run) ----

  private async ensure(spec: OverlayNetworkSpec): Promise<NetworkState> {
    const network = resolveSpec(spec);
    const existing = this.networks.get(network.id);
    if (existing !== undefined) {
      if (existing.vni !== network.vni) {
        throw new NetworkError('conflict', `network ${network.id} exists here with VNI ${existing.vni}, not ${network.vni}`);
      }
      return existing;
    }
    if (network.encrypted) {
      await requireEsp(network.id);
      if (!this.ipsec.hasKeys) throw new NetworkError('encryption-keys-missing', `network ${network.id}: no encryption key from the managers yet; refusing to send its traffic in clear`);
    }
    await this.evictVniHolder(network);
    const netns = await ensureOverlayNamespace(this.files, network, this.underlay);
    const state: NetworkState = { id: network.id, vni: network.vni, mtu: network.mtu, netns, encrypted: network.encrypted, holders: new Set(), programmed: EMPTY_PEERS };
    this.networks.set(network.id, state);
    await this.program(state, this.wantedPeers.get(network.id) ?? EMPTY_PEERS);
    return state;
  }

  /**
   * The managers gave this VNI to a new network, so the network that had it is gone from the cluster;
   * what is left of it here (its last user still stopping) would make the kernel refuse a second VXLAN
   * device with the VNI. It goes first; its sandboxes' endpoints vanish with its namespace.
   */
  private async evictVniHolder(network: { id: string; vni: number }): Promise<void> {
    for (const other of [...this.networks.values()]) {
      if (other.vni !== network.vni || other.id === network.id) continue;
      await this.removeLocal(other.id);
    }
  }

  /**
   * After a failure part of a batch may have applied: re-read the kernel so the next diff starts from
   * the truth. An encrypted network's new remotes are behind ESP before any FDB entry points at them
   * (if that fails no entry is added), and remotes no network needs any more leave after their entries.
   */
  private async program(state: NetworkState, wanted: PeerTable): Promise<void> {
    if (state.encrypted) {
      await this.guardInbound();
      await this.ipsec.setRemotes([...this.encryptedRemotes(), ...wanted.fdb.values()]);
    }
    try {
      await programPeers(state.netns, state.programmed, wanted);
      state.programmed = wanted;
    } catch (err) {
      state.programmed = await readPeers(state.netns).catch(() => state.programmed);
      if (state.encrypted) await this.syncIpsec().catch(() => {}); // the peers' failure is the one to report
      throw err;
    }
    if (state.encrypted) await this.syncIpsec();
  }

  /** Remote hosts some encrypted network here has an FDB entry for. */
  private encryptedRemotes(): Set<string> {
    const remotes = new Set<string>();
    for (const n of this.networks.values()) if (n.encrypted) for (const vtep of n.programmed.fdb.values()) remotes.add(vtep);
    return remotes;
  }

  private async syncIpsec(): Promise<void> {
    await this.ipsec.setRemotes(this.encryptedRemotes());
    await this.guardInbound();
  }

  private guardInbound(): Promise<void> {
    return this.inbound.set([...this.networks.values()].filter((n) => n.encrypted).map((n) => n.vni));
  }

  /** Removes the network's namespace (its FDB entries with it), then the ESP of remotes nothing else needs. */
  private async removeLocal(networkId: string): Promise<void> {
    await removeOverlayNamespace(this.files, networkNamespaceName(networkId));
    const encrypted = this.networks.get(networkId)?.encrypted ?? false;
    this.networks.delete(networkId);
    if (encrypted) await this.syncIpsec();
  }

  private async releaseHolder(networkId: string, holder: string): Promise<void> {
    const state = this.networks.get(networkId);
    if (state === undefined || !state.holders.delete(holder) || state.holders.size > 0) return;
    await this.removeLocal(networkId);
  }

  private async detachEndpoint(sb: SandboxState, networkId: string): Promise<void> {
    const state = this.networks.get(networkId);
    if (state !== undefined) await removeNetworkEndpoint(state.netns, this.bridgePort(sb.id));
    sb.endpoints.delete(networkId);
    await this.releaseHolder(networkId, `sandbox:${sb.id}`);
  }

  /** A sandbox has a gateway interface exactly while one of its networks is not internal. */
  private async reconcileGateway(sb: SandboxState): Promise<void> {
    const needed = [...sb.endpoints.values()].some((e) => !e.internal);
    if (needed && sb.gateway === undefined) {
      await this.ensureGateway();
      const inUse = new Set([...this.sandboxes.values()].flatMap((s) => (s.gateway === undefined ? [] : [s.gateway.ip])));
      const e: GatewayEndpoint = { kind: 'gateway', ifname: await this.nextIfname(sb), ip: allocateGatewayAddress(this.gwCidr, this.gw.gateway, inUse) };
      await addGatewayEndpoint(
        { sandbox: sb.netns, bridge: this.gw.name, hostPort: this.gatewayPort(sb.id), prefixLen: this.gwCidr.prefixLen, gateway: this.gw.gateway },
        e,
      );
      sb.gateway = e;
    } else if (!needed && sb.gateway !== undefined) {
      await removeGatewayEndpoint(this.gatewayPort(sb.id));
      sb.gateway = undefined;
    }
  }

  private async ensureGateway(): Promise<void> {
    if (this.gatewayReady) return;
    await ensureGatewayBridge(this.gw);
    this.gatewayReady = true;
  }

  /** Adopts a known network's namespace with its holders and peers; false when nothing here uses it. */
  private async adoptNetwork(id: string, encrypted: boolean): Promise<boolean> {
    const users = [...this.sandboxes.values()].filter((sb) => sb.endpoints.has(id));
    const netns = this.files.path(networkNamespaceName(id));
    const vni = await readOverlayVni(netns);
    if (users.length === 0 || vni === undefined) {
      for (const sb of users) sb.endpoints.delete(id);
      return false;
    }
    const bridge = await ipJson<{ mtu: number }>(['link', 'show', 'dev', BRIDGE], { netns });
    const holders = new Set(users.map((sb) => `sandbox:${sb.id}`));
    this.networks.set(id, { id, vni, mtu: bridge[0]?.mtu ?? DEFAULT_OVERLAY_MTU, netns, encrypted, holders, programmed: await readPeers(netns) });
    return true;
  }

  /** VXLAN devices left in the node's namespace by a crash between creating one and moving it. */
  private async removeStagedVxlans(): Promise<void> {
    const links = await ipJson<{ ifname: string }>(['link', 'show', 'type', 'vxlan']);
    for (const l of links) if (/^vx-[0-9a-f]{6}-/.test(l.ifname)) await tryCommand(['ip', 'link', 'del', l.ifname]);
  }

  private sandbox(id: string): SandboxState {
    const sb = this.sandboxes.get(id);
    if (sb === undefined) throw new NetworkError('not-found', `no sandbox ${id} on this node`);
    return sb;
  }

  private async nextIfname(sb: SandboxState): Promise<string> {
    const used = new Set([...sb.endpoints.values()].map((e) => e.ifname));
    if (sb.gateway !== undefined) used.add(sb.gateway.ifname);
    // A namespace someone else made (a container's own, adopted for `network connect`) may have
    // interfaces of its own already: its legs on local bridge networks.
    if (!sb.netns.startsWith(`${this.files.dir}/`)) for (const l of await ipJson<{ ifname: string }>(['link', 'show'], { netns: sb.netns })) used.add(l.ifname);
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    return `eth${n}`;
  }

  /** The veth end on a network's br0 (each network has its own namespace, so one name per sandbox does). */
  private bridgePort(sandboxId: string): string {
    return `vs${shortHash(sandboxId)}`;
  }

  private gatewayPort(sandboxId: string): string {
    return `vg${shortHash(sandboxId)}`;
  }

  private describe(s: NetworkState): LocalNetwork {
    return { id: s.id, vni: s.vni, mtu: s.mtu, netns: s.netns, holders: [...s.holders] };
  }
}
