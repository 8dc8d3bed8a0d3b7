// Routes a store's commits to the assignment streams they concern, and has those streams send once per
// event-loop turn. A task change goes to the stream of its node, a node change to that node's stream,
// and a change of the network directory to the streams that follow a network it touched. Before, every
// stream looked at every commit that was not a task's: at 5,000 nodes a batch of node-state writes
// cost the leader 12 ms of CPU, with nothing to send to anyone (bench/scale's sessions phase).
import type { Change, CommitEvent, MemoryStore } from '../store/memory-store.js';
import type { TaskObject } from '../store/objects.js';
import { DirectoryKeeper, directoryChanges, type NetworkDirectory } from './network-directory.js';

/** The hub's side of one node's assignment stream. */
export interface HubMember {
  readonly nodeId: string;
  /** Takes in a change of one of the node's tasks; false when it changes nothing the node is told. */
  follow(change: Change): boolean;
  /** A snapshot replaced the store: re-read everything. */
  reload(): void;
  /** Whether the member follows one of `networks`. */
  follows(networks: ReadonlySet<string>): boolean;
  /** Sends what changed since its last message (called at most once per turn). */
  flush(directory: NetworkDirectory): void;
}

export class AssignmentHub {
  readonly #directory: DirectoryKeeper;
  readonly #byNode = new Map<string, Set<HubMember>>();
  /** The directory as of the last flush: what members were last told about. */
  #flushedDirectory: NetworkDirectory | undefined;
  #due = new Set<HubMember>();
  #everyone = false;
  #scheduled = false;

  constructor(store: MemoryStore) {
    this.#directory = new DirectoryKeeper(store);
    store.subscribe((event) => this.#onCommit(event));
  }

  directory(): NetworkDirectory {
    return this.#directory.current();
  }

  /** Adds a member; returns what removes it. */
  join(member: HubMember): () => void {
    const members = this.#byNode.get(member.nodeId) ?? new Set();
    members.add(member);
    this.#byNode.set(member.nodeId, members);
    this.#flushedDirectory ??= this.#directory.current();
    return () => {
      members.delete(member);
      this.#due.delete(member);
      if (members.size === 0 && this.#byNode.get(member.nodeId) === members) this.#byNode.delete(member.nodeId);
    };
  }

  #onCommit(event: CommitEvent): void {
    this.#directory.note(event);
    if (event.changes.length === 0) {
      for (const member of this.#members()) member.reload();
      this.#everyone = true;
    }
    for (const change of event.changes) {
      if (change.table === 'task') {
        const nodeId = (change.object as TaskObject).NodeID;
        for (const member of (nodeId !== undefined && this.#byNode.get(nodeId)) || []) if (member.follow(change)) this.#due.add(member);
      } else if (change.table === 'node') {
        // The node's role, load-balancer addresses or standalone containers' networks may have changed.
        for (const member of this.#byNode.get(change.object.ID) ?? []) this.#due.add(member);
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#byNode.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const directory = this.#directory.current();
    const before = this.#flushedDirectory;
    this.#flushedDirectory = directory;
    let due: Iterable<HubMember> = this.#due;
    if (this.#everyone) due = this.#members();
    else if (before !== undefined && before !== directory) {
      const changes = directoryChanges(before, directory);
      if (changes.everyone) due = this.#members();
      else if (changes.networks.size > 0) for (const member of this.#members()) if (member.follows(changes.networks)) this.#due.add(member);
    }
    const members = [...due];
    this.#due = new Set();
    this.#everyone = false;
    for (const member of members) member.flush(directory);
  }

  *#members(): Generator<HubMember> {
    for (const members of this.#byNode.values()) yield* members;
  }
}

const hubs = new WeakMap<MemoryStore, AssignmentHub>();

/** The store's hub, made on first use: every stream of a store shares it. */
export function assignmentHub(store: MemoryStore): AssignmentHub {
  let hub = hubs.get(store);
  if (hub === undefined) {
    hub = new AssignmentHub(store);
    hubs.set(store, hub);
  }
  return hub;
}
