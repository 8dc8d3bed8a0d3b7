// What an agent must know about an overlay network it has tasks on, computed once for every node's
// assignment stream, and only after commits that can change it (DirectoryKeeper): the network's
// parameters (VNI, subnet, MTU...), every live endpoint on it cluster-wide (address, MAC, the host it
// runs on: what peers and DNS need), and the services on it (name, VIP, aliases: what DNS and load
// balancing need). Each record also carries its JSON text, so a stream diffs what it sent against the
// directory by comparing strings.
import type { CommitEvent, StoreView } from '../store/memory-store.js';
import type { NetworkObject, NodeObject, ServiceObject, TaskObject } from '../store/objects.js';
import { rank } from '../tasks/lifecycle.js';
import { nodeAttachments } from './container-attachments.js';

export interface NetworkInfo {
  readonly ID: string;
  readonly Name: string;
  readonly Vni: number;
  readonly Subnet: string;
  readonly Gateway: string;
  /** From the `com.docker.network.driver.mtu` option; absent = the driver's default. */
  readonly Mtu?: number;
  readonly Internal: boolean;
  readonly Encrypted: boolean;
  readonly Attachable: boolean;
  readonly Ingress: boolean;
}

/** A running task's interface on the network. */
export interface EndpointInfo {
  /** The task's ID. */
  readonly ID: string;
  readonly ServiceID: string;
  readonly NodeID: string;
  /** Names DNS answers with this address: the container name <service>.<slot>.<task> and the task name <service>.<slot>. */
  readonly Names: readonly string[];
  /** Without the prefix length. */
  readonly Addr: string;
  /** Docker's 02:42 followed by the address's bytes. */
  readonly Mac: string;
  /** The data-path address of the endpoint's node (its VXLAN tunnel end). */
  readonly Vtep: string;
  /** The hostname of the endpoint's node: `network inspect` names the network's Peers by it. */
  readonly Host: string;
}

export interface ServicePort {
  readonly Protocol: 'tcp' | 'udp' | 'sctp';
  readonly TargetPort: number;
  readonly PublishedPort: number;
  readonly PublishMode: 'ingress' | 'host';
}

export interface ServiceInfo {
  readonly ID: string;
  readonly Name: string;
  readonly Mode: 'vip' | 'dnsrr';
  /** The service's virtual IP on this network (mode vip), without the prefix length. */
  readonly Vip?: string;
  /** Network aliases (`--network name=N,alias=A`): resolved like the service name. */
  readonly Aliases: readonly string[];
  readonly Ports: readonly ServicePort[];
}

export interface Keyed<T> {
  readonly value: T;
  /** JSON of value: equal text = nothing to send. */
  readonly text: string;
}

export interface DirectoryEntry {
  readonly network: Keyed<NetworkInfo>;
  readonly endpoints: ReadonlyMap<string, Keyed<EndpointInfo>>;
  readonly services: ReadonlyMap<string, Keyed<ServiceInfo>>;
  /** What changed since the entry `from` (the previous commit's), computed once for every stream. */
  readonly delta?: EntryDelta;
}

export interface EntryDelta {
  readonly from: DirectoryEntry;
  readonly endpoints: { readonly upserts: readonly EndpointInfo[]; readonly removed: readonly string[] };
  readonly services: { readonly upserts: readonly ServiceInfo[]; readonly removed: readonly string[] };
}

export function changedRecords<T>(now: ReadonlyMap<string, Keyed<T>>, before: ReadonlyMap<string, { readonly text: string } | string>): { upserts: T[]; removed: string[] } {
  const upserts: T[] = [];
  const textOf = (v: { readonly text: string } | string | undefined) => (typeof v === 'object' ? v.text : v);
  for (const [id, k] of now) if (textOf(before.get(id)) !== k.text) upserts.push(k.value);
  const removed = [...before.keys()].filter((id) => !now.has(id));
  return { upserts, removed };
}

export interface NetworkDirectory {
  readonly networks: ReadonlyMap<string, DirectoryEntry>;
  /** Whether some service publishes a port through the routing mesh: nodes then join the ingress network. */
  readonly meshActive: boolean;
  readonly ingressId: string | undefined;
  /** Tasks and nodes whose change can change the directory: those with network attachments (live or not). */
  readonly sources: { readonly tasks: ReadonlySet<string>; readonly nodes: ReadonlySet<string> };
}

const MTU_OPTION = 'com.docker.network.driver.mtu';

function keyed<T>(value: T): Keyed<T> {
  return { value, text: JSON.stringify(value) };
}

export function macFromAddr(addr: string): string {
  return ['02', '42', ...addr.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

function stripPrefix(cidr: string): string {
  const slash = cidr.indexOf('/');
  return slash < 0 ? cidr : cidr.slice(0, slash);
}

export function networkInfo(n: NetworkObject): NetworkInfo {
  const mtu = Number(n.Spec.Options[MTU_OPTION]);
  return {
    ID: n.ID,
    Name: n.Spec.Name,
    Vni: n.Allocation.Vni,
    Subnet: n.Allocation.Subnet,
    Gateway: n.Allocation.Gateway,
    ...(Number.isInteger(mtu) && mtu > 0 ? { Mtu: mtu } : {}),
    Internal: n.Spec.Internal,
    Encrypted: n.Spec.Options.encrypted !== undefined,
    Attachable: n.Spec.Attachable,
    Ingress: n.Spec.Ingress,
  };
}

/** A node's load-balancer addresses by network (node.Attachments without a container; the ingress-sbox's). */
export function nodeLbAddresses(node: NodeObject | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of nodeAttachments(node)) if (a.ContainerID === undefined && a.Addresses[0] !== undefined) out.set(a.Network.ID, a.Addresses[0]);
  return out;
}

/** The networks a node's standalone containers are attached to. */
export function nodeContainerNetworks(node: NodeObject | undefined): Set<string> {
  return new Set(nodeAttachments(node).filter((a) => a.ContainerID !== undefined).map((a) => a.Network.ID));
}

/** A task's endpoints exist while it runs and should, on a node that is not down. */
function endpointLive(task: TaskObject, node: NodeObject | undefined): boolean {
  return node !== undefined && node.Status.State !== 'down' && task.Status.State === 'running' && rank(task.DesiredState) <= rank('running');
}

/**
 * The address other nodes send VXLAN to: the node's data-path address, which its agent reports in the
 * description (DataPathAddr), else the address it was seen at.
 */
export function vtepOf(node: NodeObject): string {
  const dataPath = node.Description.DataPathAddr;
  return typeof dataPath === 'string' && dataPath !== '' ? dataPath : node.Status.Addr;
}

function taskNames(task: TaskObject, name: string): string[] {
  if (name === '') return [];
  const base = `${name}.${task.Slot > 0 ? task.Slot : (task.NodeID ?? '')}`;
  return [`${base}.${task.ID}`, base];
}

/** Store objects are replaced, never changed: the same task, node and service name give the same records. */
const endpointCache = new WeakMap<TaskObject, { readonly node: NodeObject; readonly serviceName: string; readonly records: [string, Keyed<EndpointInfo>][] }>();

function taskEndpoints(task: TaskObject, node: NodeObject, serviceName: string): [string, Keyed<EndpointInfo>][] {
  const hit = endpointCache.get(task);
  if (hit !== undefined && hit.node === node && hit.serviceName === serviceName) return hit.records;
  const records: [string, Keyed<EndpointInfo>][] = [];
  for (const a of task.NetworksAttachments ?? []) {
    const addr = a.Addresses[0];
    if (addr === undefined) continue;
    const ip = stripPrefix(addr);
    const names = taskNames(task, serviceName);
    records.push([a.Network.ID, keyed({ ID: task.ID, ServiceID: task.ServiceID, NodeID: node.ID, Names: names, Addr: ip, Mac: macFromAddr(ip), Vtep: vtepOf(node), Host: node.Description.Hostname })]);
  }
  endpointCache.set(task, { node, serviceName, records });
  return records;
}

function serviceNetworks(s: ServiceObject): Set<string> {
  const ids = new Set((s.Spec.TaskTemplate.Networks ?? []).map((n) => n.Target));
  for (const v of s.Endpoint?.VirtualIPs ?? []) ids.add(v.NetworkID);
  return ids;
}

function serviceInfo(s: ServiceObject, networkId: string): ServiceInfo {
  const vip = s.Endpoint?.VirtualIPs?.find((v) => v.NetworkID === networkId);
  const mode = s.Endpoint?.Spec.Mode ?? s.Spec.EndpointSpec?.Mode ?? 'vip';
  return {
    ID: s.ID,
    Name: s.Spec.Name,
    Mode: mode,
    ...(mode === 'vip' && vip !== undefined ? { Vip: stripPrefix(vip.Addr) } : {}),
    Aliases: [...((s.Spec.TaskTemplate.Networks ?? []).find((n) => n.Target === networkId)?.Aliases ?? [])],
    Ports: (s.Endpoint?.Ports ?? []).map((p) => ({
      Protocol: p.Protocol ?? 'tcp',
      TargetPort: p.TargetPort ?? 0,
      PublishedPort: p.PublishedPort ?? 0,
      PublishMode: p.PublishMode ?? 'ingress',
    })),
  };
}

export function buildDirectory(view: StoreView): NetworkDirectory {
  const nodes = new Map(view.list('node').map((n) => [n.ID, n]));
  const services = view.list('service');
  const servicesById = new Map(services.map((s) => [s.ID, s]));
  const endpoints = new Map<string, Map<string, Keyed<EndpointInfo>>>();
  const onNetwork = new Map<string, Map<string, Keyed<ServiceInfo>>>();
  const networks = view.list('network');
  for (const n of networks) {
    endpoints.set(n.ID, new Map());
    onNetwork.set(n.ID, new Map());
  }
  const sources = { tasks: new Set<string>(), nodes: new Set<string>() };
  for (const task of view.list('task')) {
    if ((task.NetworksAttachments?.length ?? 0) === 0) continue;
    sources.tasks.add(task.ID);
    if (task.NodeID !== undefined) sources.nodes.add(task.NodeID);
    const node = task.NodeID === undefined ? undefined : nodes.get(task.NodeID);
    if (!endpointLive(task, node)) continue;
    for (const [networkId, k] of taskEndpoints(task, node!, servicesById.get(task.ServiceID)?.Spec.Name ?? '')) endpoints.get(networkId)?.set(task.ID, k);
  }
  for (const node of nodes.values()) {
    const attachments = nodeAttachments(node);
    if (attachments.length > 0) sources.nodes.add(node.ID);
    if (node.Status.State === 'down') continue;
    for (const a of attachments) {
      const addr = a.Addresses[0];
      if (addr === undefined) continue;
      const ip = stripPrefix(addr);
      const id = a.ContainerID === undefined ? `lb-${node.ID}` : a.ContainerID;
      const names = a.ContainerID === undefined ? [] : [...(a.Name ? [a.Name] : []), ...(a.Aliases ?? [])];
      endpoints.get(a.Network.ID)?.set(id, keyed({ ID: id, ServiceID: '', NodeID: node.ID, Names: names, Addr: ip, Mac: macFromAddr(ip), Vtep: vtepOf(node), Host: node.Description.Hostname }));
    }
  }
  for (const s of services) {
    for (const id of serviceNetworks(s)) onNetwork.get(id)?.set(s.ID, keyed(serviceInfo(s, id)));
  }
  return {
    meshActive: services.some((s) => (s.Endpoint?.Ports ?? []).some((p) => p.PublishMode === 'ingress')),
    ingressId: networks.find((n) => n.Spec.Ingress)?.ID,
    sources,
    networks: new Map(
      networks.map((n) => [n.ID, { network: keyed(networkInfo(n)), endpoints: endpoints.get(n.ID)!, services: onNetwork.get(n.ID)! }]),
    ),
  };
}

function sameRecords<T>(a: ReadonlyMap<string, Keyed<T>>, b: ReadonlyMap<string, Keyed<T>>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, k] of a) {
    const other = b.get(id);
    if (other === undefined || (other !== k && other.text !== k.text)) return false;
  }
  return true;
}

/** Mostly reference comparisons: unchanged tasks keep their cached records from commit to commit. */
function sameEntry(a: DirectoryEntry, b: DirectoryEntry): boolean {
  return a.network.text === b.network.text && sameRecords(a.endpoints, b.endpoints) && sameRecords(a.services, b.services);
}

/**
 * Keeps the previous commit's entry object for every network whose content did not change, so that
 * each node's stream skips an unchanged network by comparing references, and gives a changed one its
 * delta from the previous entry, so a stream that had sent that entry applies the delta: the diff is
 * computed once per commit here, not once per stream.
 */
function reuseUnchanged(previous: NetworkDirectory | undefined, next: NetworkDirectory): NetworkDirectory {
  if (previous === undefined) return next;
  const networks = new Map<string, DirectoryEntry>();
  for (const [id, entry] of next.networks) {
    const old = previous.networks.get(id);
    if (old === undefined) networks.set(id, entry);
    else if (sameEntry(old, entry)) networks.set(id, old);
    else networks.set(id, { ...entry, delta: { from: old, endpoints: changedRecords(entry.endpoints, old.endpoints), services: changedRecords(entry.services, old.services) } });
  }
  return { ...next, networks };
}

/**
 * Whether a commit can change the directory. At 5,000 nodes every batch of node-state writes (sessions
 * opening, heartbeats lapsing) rebuilt it and had every node's stream compare it, 12 ms of the leader's
 * CPU per commit with no network in use (bench/scale's sessions phase, where the leader lost its
 * term three times); a node without network attachments or tasks on networks cannot change it.
 */
function concernsDirectory(event: CommitEvent, directory: NetworkDirectory): boolean {
  if (event.changes.length === 0) return true;
  for (const { table, object } of event.changes) {
    if (table === 'network' || table === 'service') return true;
    if (table === 'task' && ((object as TaskObject).NetworksAttachments?.length || directory.sources.tasks.has(object.ID))) return true;
    if (table === 'node' && (nodeAttachments(object as NodeObject).length > 0 || directory.sources.nodes.has(object.ID))) return true;
  }
  return false;
}

/** What a rebuild changed, for the streams to decide which of them must look. */
export interface DirectoryChanges {
  /** Networks whose entry is another object than before (changed or gone). */
  readonly networks: ReadonlySet<string>;
  /** Something every stream must look at: a new network, or the routing mesh or ingress network changed. */
  readonly everyone: boolean;
}

export function directoryChanges(before: NetworkDirectory, after: NetworkDirectory): DirectoryChanges {
  const networks = new Set<string>();
  for (const [id, entry] of before.networks) if (after.networks.get(id) !== entry) networks.add(id);
  let everyone = before.meshActive !== after.meshActive || before.ingressId !== after.ingressId;
  for (const id of after.networks.keys()) if (!before.networks.has(id)) everyone = true;
  return { networks, everyone };
}

/** The directory of a store's current state, rebuilt only when a commit noted since can have changed it. */
export class DirectoryKeeper {
  readonly #view: StoreView;
  #directory: NetworkDirectory | undefined;
  #stale = true;

  constructor(view: StoreView) {
    this.#view = view;
  }

  /** To be called with every commit the store applies. */
  note(event: CommitEvent): void {
    if (!this.#stale && this.#directory !== undefined && concernsDirectory(event, this.#directory)) this.#stale = true;
  }

  current(): NetworkDirectory {
    if (this.#stale || this.#directory === undefined) {
      this.#directory = reuseUnchanged(this.#directory, buildDirectory(this.#view));
      this.#stale = false;
    }
    return this.#directory;
  }
}
