// Agent sessions on the leader: a node is Ready while it keeps heartbeating, and Down once it has
// missed its heartbeats for a grace period (3 periods, as swarmkit). Short blips (well under a period)
// therefore never mark a node down; a dead node is marked down within ~3 periods. A new leader knows
// no sessions: every node gets twice that (swarmkit's grace for nodes of unknown state) to reach it,
// so that the reconnect storm of a large cluster does not mark live nodes down. A manager that Raft
// already finds unreachable (the old leader, killed) is not waiting to reconnect: it gets only the
// usual grace, counted from the election, so it is Down about as soon as a dead worker would be.
import type { SessionMessage } from '@shoal/proto';
import { randomUUID } from 'node:crypto';
import { ControlError } from '../control/errors.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { Action } from '../store/transaction.js';
import { withAllocationLock } from '../control/network-ops.js';
import { ingressAttachmentActions } from './ingress-attachments.js';
import { NodeStateWriter } from './node-state-writer.js';
import { sessionKeys } from './session-keys.js';

export const GRACE_MULTIPLIER = 3;
/** After a leader change, in heartbeat periods. */
export const LEADER_CHANGE_GRACE_MULTIPLIER = 2 * GRACE_MULTIPLIER;
const NANOS_PER_MS = 1_000_000;
/** swarmkit's HeartbeatEpsilon: the most a heartbeat's answer adds to the period, at 5 s periods. */
const HEARTBEAT_JITTER_MS_MAX = 500;
const CHECK_EVERY_MS = 250;

export interface DispatcherHost {
  readonly store: MemoryStore;
  readonly nodeId: string;
  isLeader(): boolean;
  leaderAddr(): string | undefined;
  commit(actions: readonly Action[]): Promise<void>;
  managerPeers(): { nodeId: string; addr: string }[];
  /** True for a Raft member this manager cannot reach; false for any other node. */
  managerUnreachable(nodeId: string): boolean;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export interface SessionSink {
  write(message: SessionMessage): void;
  end(): void;
}

interface Session {
  readonly id: string;
  readonly nodeId: string;
  readonly sink: SessionSink;
  deadlineMs: number;
  /** What the node was last told; undefined before the first message. */
  sent: { readonly shared: string; readonly role: string; readonly availability: string } | undefined;
}

/** The part of a session message that is the same for every node, serialised once per commit. */
interface SharedFields {
  readonly fields: Omit<SessionMessage, 'sessionId' | 'desiredRole' | 'availability'>;
  readonly key: string;
}

export class Dispatcher {
  readonly #host: DispatcherHost;
  readonly #sessions = new Map<string, Session>();
  /** A node has one session at a time: opening another closes the first. */
  readonly #sessionByNode = new Map<string, string>();
  /** Nodes without a session here, with when they will be declared down unless they open one. */
  readonly #grace = new Map<string, number>();
  /** Those of #grace that have not reached this leader since it was elected. */
  readonly #sinceElection = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  readonly #nodeStates: NodeStateWriter;
  #wasLeader = false;
  /** When this manager last became the leader: the leader-change grace counts from there. */
  #leaderSinceMs = 0;
  #pushScheduled = false;
  /** Nodes changed by the commits since the last push; a change elsewhere concerns only them. */
  readonly #changedNodes = new Set<string>();
  /** The shared part as of the last push: when it changes, every session hears of it. */
  #lastShared = '';
  #allocatingIngress = false;

  constructor(host: DispatcherHost) {
    this.#host = host;
    this.#nodeStates = new NodeStateWriter(host.store, (actions) => host.commit(actions));
    this.#timer = setInterval(() => this.#check(), CHECK_EVERY_MS);
    this.#timer.unref();
    this.#unsubscribe = host.store.subscribe((event) => {
      if (event.changes.length === 0) this.#lastShared = ''; // a restored snapshot: tell everyone
      let push = event.changes.length === 0;
      for (const change of event.changes) {
        if (change.table === 'task') continue;
        push = true;
        if (change.table === 'node') this.#changedNodes.add(change.object.ID);
      }
      if (push) this.#schedulePush();
    });
  }

  heartbeatPeriodMs(): number {
    const cluster = this.#host.store.list('cluster')[0];
    return cluster ? cluster.Spec.Dispatcher.HeartbeatPeriod / NANOS_PER_MS : 5000;
  }

  async open(nodeId: string, description: Record<string, unknown>, addr: string, sink: SessionSink): Promise<string> {
    this.#requireLeader();
    const node = this.#host.store.get('node', nodeId);
    if (!node) throw new ControlError('permission-denied', `node ${nodeId} was removed from the swarm`);
    const previous = this.#sessionOf(nodeId);
    if (previous !== undefined) this.close(previous.id);
    await this.#nodeStates.write(nodeId, { state: 'ready', description, addr });
    const session: Session = { id: randomUUID(), nodeId, sink, deadlineMs: Date.now() + this.#graceMs(), sent: undefined };
    this.#sessions.set(session.id, session);
    this.#sessionByNode.set(nodeId, session.id);
    this.#grace.delete(nodeId);
    this.#sinceElection.delete(nodeId);
    this.#send(session);
    return session.id;
  }

  heartbeat(sessionId: string): number {
    this.#requireLeader();
    const session = this.#sessions.get(sessionId);
    if (!session) throw new ControlError('not-found', 'session invalid');
    session.deadlineMs = Date.now() + this.#graceMs();
    // The agent beats next after the period answered here. Some jitter (up to a tenth of the period,
    // swarmkit's 500 ms at the default 5 s) keeps the beats of nodes that connected in one burst, as
    // after a leader change, from arriving in bursts for ever after.
    const periodMs = this.heartbeatPeriodMs();
    return periodMs + Math.floor(Math.random() * Math.min(HEARTBEAT_JITTER_MS_MAX, periodMs / 10));
  }

  /** The stream ended: the node gets the grace period to come back before it is marked down. */
  close(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#sessions.delete(sessionId);
    if (this.#sessionByNode.get(session.nodeId) === sessionId) this.#sessionByNode.delete(session.nodeId);
    this.#grace.set(session.nodeId, session.deadlineMs);
    session.sink.end();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
    for (const id of [...this.#sessions.keys()]) this.close(id);
  }

  #graceMs(): number {
    return this.heartbeatPeriodMs() * GRACE_MULTIPLIER;
  }

  #requireLeader(): void {
    if (this.#host.isLeader()) return;
    const leader = this.#host.leaderAddr();
    throw new ControlError('unavailable', leader ? `not the leader; leader is at ${leader}` : 'the swarm has no leader');
  }

  #check(): void {
    const leader = this.#host.isLeader();
    if (leader && !this.#wasLeader) this.#startGraceForAll();
    if (!leader && this.#wasLeader) for (const id of [...this.#sessions.keys()]) this.close(id);
    this.#wasLeader = leader;
    if (!leader) return;
    this.#allocateIngress(); // a pass that lost a race with another commit is retried here
    const now = Date.now();
    const electionGraceOver = this.#leaderSinceMs + this.#graceMs() <= now;
    for (const session of [...this.#sessions.values()]) {
      if (session.deadlineMs <= now) this.close(session.id);
    }
    for (const [nodeId, deadline] of [...this.#grace]) {
      if (deadline > now && !(electionGraceOver && this.#sinceElection.has(nodeId) && this.#host.managerUnreachable(nodeId))) continue;
      this.#grace.delete(nodeId);
      this.#sinceElection.delete(nodeId);
      this.#nodeStates.write(nodeId, { state: 'down' }).catch((err) => this.#host.log('warn', 'could not mark node down', { nodeId, err: String(err) }));
    }
  }

  /** A new leader knows no sessions: every node must reach it within the leader-change grace. */
  #startGraceForAll(): void {
    this.#leaderSinceMs = Date.now();
    this.#sinceElection.clear();
    const deadline = this.#leaderSinceMs + this.heartbeatPeriodMs() * LEADER_CHANGE_GRACE_MULTIPLIER;
    const connected = new Set([...this.#sessions.values()].map((s) => s.nodeId));
    for (const node of this.#host.store.list('node')) {
      if (node.Status.State === 'down' || connected.has(node.ID)) continue;
      this.#grace.set(node.ID, deadline);
      this.#sinceElection.add(node.ID);
    }
  }

  /**
   * Session messages depend on nodes, the cluster and the managers, not on tasks; and they are worked
   * out once per event-loop turn, not per commit: Raft applies a burst of status reports at once, and
   * a pass over every session (and over every node for ingress addresses) per entry held the leader's
   * event loop for most of a second at 1,000 nodes (CPU profile, bench/scale).
   */
  #schedulePush(): void {
    if (this.#pushScheduled) return;
    this.#pushScheduled = true;
    setImmediate(() => {
      this.#pushScheduled = false;
      this.#pushUpdates();
    });
  }

  /**
   * Only the sessions of changed nodes, unless the shared part changed: at 5,000 nodes, a pass over
   * every session for each batch of node-state writes was a large part of the leader's CPU while the
   * sessions opened (bench/scale).
   */
  #pushUpdates(): void {
    const shared = this.#shared();
    if (shared.key !== this.#lastShared) {
      this.#lastShared = shared.key;
      for (const session of [...this.#sessions.values()]) this.#send(session, shared);
    } else {
      for (const nodeId of this.#changedNodes) {
        const session = this.#sessionOf(nodeId);
        if (session !== undefined) this.#send(session, shared);
      }
    }
    this.#changedNodes.clear();
    if (this.#host.isLeader()) this.#allocateIngress();
  }

  #sessionOf(nodeId: string): Session | undefined {
    const id = this.#sessionByNode.get(nodeId);
    return id === undefined ? undefined : this.#sessions.get(id);
  }

  /** Gives nodes their ingress load-balancer address when the routing mesh is in use (one pass at a time). */
  #allocateIngress(): void {
    if (this.#allocatingIngress || ingressAttachmentActions(this.#host.store).actions.length === 0) return;
    this.#allocatingIngress = true;
    void withAllocationLock(async () => {
      const { actions, error } = ingressAttachmentActions(this.#host.store);
      if (error !== undefined) this.#host.log('warn', 'cannot give every node an ingress address', { err: error });
      if (actions.length > 0) await this.#host.commit(actions);
    })
      .catch((err) => this.#host.log('debug', 'ingress address allocation will be retried', { err: String(err) }))
      .finally(() => {
        this.#allocatingIngress = false;
      });
  }

  #shared(): SharedFields {
    const fields = {
      managers: this.#host.managerPeers(),
      heartbeatPeriodMs: this.heartbeatPeriodMs(),
      networkBootstrapKeys: sessionKeys(this.#host.store.list('cluster')[0]),
    };
    return { fields, key: JSON.stringify(fields) };
  }

  /** Tells the node what changed since its last message; `shared` is made once per commit for all sessions. */
  #send(session: Session, shared: SharedFields = this.#shared()): void {
    const node = this.#host.store.get('node', session.nodeId);
    if (!node) {
      this.close(session.id);
      return;
    }
    const sent = session.sent;
    if (sent?.shared === shared.key && sent.role === node.Spec.Role && sent.availability === node.Spec.Availability) return;
    session.sent = { shared: shared.key, role: node.Spec.Role, availability: node.Spec.Availability };
    session.sink.write({ sessionId: session.id, ...shared.fields, desiredRole: node.Spec.Role, availability: node.Spec.Availability });
  }
}
