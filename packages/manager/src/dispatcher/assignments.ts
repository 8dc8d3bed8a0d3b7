// A node's assignments: the tasks it must run or stop, streamed to its agent, first in full and then
// as changes (gathered over the commits applied in one event-loop turn; assignment-hub.ts routes them).
// A task stays assigned from `assigned` until it is deleted (swarmkit's rule): a stopped task's
// container stays on its node, for `service logs` and `ps -a`, until the task history drops it, and
// the agent removes it then. The same
// stream carries the overlay networks those tasks are on, with their endpoints cluster-wide and their
// services (network-directory.ts): the agent programs peers, DNS and load balancing from them.
import type { Change, StoreView, MemoryStore } from '../store/memory-store.js';
import type { TaskObject } from '../store/objects.js';
import { isTerminal, rank } from '../tasks/lifecycle.js';
import { assignmentHub, type AssignmentHub } from './assignment-hub.js';
import { nodeContainerNetworks, nodeLbAddresses, type NetworkDirectory } from './network-directory.js';
import { NodeNetworkTracker, type NetworkChange } from './network-stream.js';

export interface AssignmentChanges {
  /** FULL: every assigned task. INCREMENTAL: tasks that are new or changed. */
  readonly tasks: readonly TaskObject[];
  /** INCREMENTAL only: IDs of tasks no longer assigned. */
  readonly removed: readonly string[];
  /** Names of the services of `tasks`: the agent names containers <service>.<slot>.<task>. */
  readonly serviceNames: Readonly<Record<string, string>>;
  /** FULL: every network of the assigned tasks. INCREMENTAL: networks that are new or changed. */
  readonly networks: readonly NetworkChange[];
  /** INCREMENTAL only: networks the node no longer needs. */
  readonly removedNetworks: readonly string[];
  /** FULL only: the cluster's VXLAN UDP port (swarm init --data-path-port). */
  readonly dataPathPort?: number;
}

export interface AssignmentSink {
  write(kind: 'full' | 'incremental', changes: AssignmentChanges): void;
}

export function nodeAssignments(view: StoreView, nodeId: string): TaskObject[] {
  return view.tasksOnNode(nodeId).filter((t) => isAssignedTo(t, nodeId));
}

function isAssignedTo(t: TaskObject, nodeId: string): boolean {
  return t.NodeID === nodeId && rank(t.Status.State) >= rank('assigned');
}

/** A task that runs or should: a stopped one, kept only for what it left, holds no network on the node. */
function holdsNetworks(t: TaskObject): boolean {
  return rank(t.DesiredState) <= rank('running') || !isTerminal(t.Status.State);
}

/**
 * The networks of the node's tasks and standalone containers, and the ingress network: every node
 * knows it (dockerd lists it on every node), and while the routing mesh is in use it joins it.
 */
function networksOf(tasks: readonly TaskObject[], directory: NetworkDirectory, containers: ReadonlySet<string>): Set<string> {
  const ids = new Set([...tasks.filter(holdsNetworks).flatMap((t) => (t.NetworksAttachments ?? []).map((a) => a.Network.ID)), ...containers]);
  if (directory.ingressId !== undefined) ids.add(directory.ingressId);
  return ids;
}

/** The node's load-balancer addresses, while the routing mesh is in use (the agent joins ingress while it has one). */
function activeLbAddresses(directory: NetworkDirectory, lb: Map<string, string>): Map<string, string> {
  return directory.meshActive ? lb : new Map();
}

/**
 * swarmkit's rule (dispatcher.Assignments): past `assigned` a task's status is the agent's own report,
 * so a change of status alone is not sent back to it. Echoing every report cost about four messages
 * per task on its way to running, on the leader and on the agents (bench/scale). States up to
 * `assigned` are the managers' and are always sent.
 */
function worthSending(sent: TaskObject | undefined, now: TaskObject): boolean {
  if (sent === undefined) return true;
  if (sent.Version.Index === now.Version.Index) return false;
  return rank(now.Status.State) <= rank('assigned') || !sameApartFromStatus(sent, now);
}

function sameApartFromStatus(a: TaskObject, b: TaskObject): boolean {
  return (
    a.DesiredState === b.DesiredState &&
    a.NodeID === b.NodeID &&
    a.Slot === b.Slot &&
    a.ServiceID === b.ServiceID &&
    sameJson(a.Spec, b.Spec) &&
    sameJson(a.Labels, b.Labels) &&
    sameJson(a.NetworksAttachments, b.NetworksAttachments)
  );
}

/** Store objects are immutable and a status update keeps the other parts, so identity usually decides. */
function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export class AssignmentStream {
  readonly #store: MemoryStore;
  readonly #hub: AssignmentHub;
  readonly #nodeId: string;
  readonly #sink: AssignmentSink;
  readonly #networks = new NodeNetworkTracker();
  /** The node's tasks as of the last message (a task's status-only changes update it without being sent). */
  #sent = new Map<string, TaskObject>();
  /**
   * The node's assigned tasks, kept from the changes the hub routes here: rescanning every task of the
   * cluster on every commit, for every node's stream, made a commit cost O(nodes × tasks) on the leader.
   * Changes are sent once per event-loop turn (the hub's flush), not once per commit: Raft applies a
   * burst of entries at once, and working out the node's networks after each of them cost 6.8 s in one
   * stretch on a follower taking over with 10,000 tasks (bench/scale).
   */
  #tasks = new Map<string, TaskObject>();
  #leave: (() => void) | null = null;

  constructor(store: MemoryStore, nodeId: string, sink: AssignmentSink) {
    this.#store = store;
    this.#hub = assignmentHub(store);
    this.#nodeId = nodeId;
    this.#sink = sink;
  }

  /** Sends the full set and follows changes, in one synchronous step so nothing falls in between. */
  start(): void {
    const tasks = nodeAssignments(this.#store, this.#nodeId);
    this.#tasks = new Map(tasks.map((t) => [t.ID, t]));
    this.#sent = new Map(tasks.map((t) => [t.ID, t]));
    const directory = this.#hub.directory();
    const node = this.#store.get('node', this.#nodeId);
    const networks = this.#networks.full(directory, networksOf(tasks, directory, nodeContainerNetworks(node)), activeLbAddresses(directory, nodeLbAddresses(node)));
    const dataPathPort = this.#store.list('cluster')[0]?.DataPathPort;
    this.#sink.write('full', { tasks, removed: [], serviceNames: this.#names(tasks), ...networks, ...(dataPathPort ? { dataPathPort } : {}) });
    this.#leave = this.#hub.join({
      nodeId: this.#nodeId,
      follow: (change) => this.#follow(change),
      reload: () => {
        this.#tasks = new Map(nodeAssignments(this.#store, this.#nodeId).map((t) => [t.ID, t]));
      },
      follows: (ids) => this.#networks.follows(ids),
      flush: (directory) => this.#sendChanges(directory),
    });
  }

  stop(): void {
    this.#leave?.();
    this.#leave = null;
  }

  #names(tasks: readonly TaskObject[]): Record<string, string> {
    const names: Record<string, string> = {};
    for (const t of tasks) names[t.ServiceID] = this.#store.get('service', t.ServiceID)?.Spec.Name ?? names[t.ServiceID] ?? '';
    return names;
  }

  /** Takes in a change of one of the node's tasks (a task's node never changes once set). */
  #follow(change: Change): boolean {
    const t = change.object as TaskObject;
    if (change.kind !== 'delete' && isAssignedTo(t, this.#nodeId)) {
      this.#tasks.set(t.ID, t);
      return true;
    }
    return this.#tasks.delete(t.ID);
  }

  /** Everything that changed for this node since the last message, in one message. */
  #sendChanges(directory: NetworkDirectory): void {
    const now = [...this.#tasks.values()];
    const changed = now.filter((t) => worthSending(this.#sent.get(t.ID), t));
    const ids = new Set(now.map((t) => t.ID));
    const removed = [...this.#sent.keys()].filter((id) => !ids.has(id));
    const node = this.#store.get('node', this.#nodeId);
    const networks = this.#networks.diff(directory, networksOf(now, directory, nodeContainerNetworks(node)), activeLbAddresses(directory, nodeLbAddresses(node)));
    if (changed.length === 0 && removed.length === 0 && networks.networks.length === 0 && networks.removedNetworks.length === 0) return;
    this.#sent = new Map(now.map((t) => [t.ID, t]));
    this.#sink.write('incremental', { tasks: changed, removed, serviceNames: this.#names(changed), ...networks });
  }
}
