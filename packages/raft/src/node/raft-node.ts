// The I/O edge around the deterministic core: it persists, sends and applies what each Ready asks for,
// in that order, and turns callers' requests into promises settled by what the log applies. Requests
// arriving while a Ready is being persisted accumulate in the core and leave together in the next
// Ready, so a burst of proposals shares one append and one fsync.
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Ready, Role, Snapshot } from '../core/types.js';
import { decodeConfChange } from '../core/confchange-codec.js';
import type { MemoryStorage } from '../core/storage.js';
import { LevelLogStore } from '../storage/index.js';
import { createCore, type Core } from './core-factory.js';
import { recover } from './recover.js';
import { coalesceAppends } from './coalesce.js';
import { EmptyProposalError, NodeStoppedError } from './errors.js';
import { compileNodeOptions, type CompiledNodeOptions, type RaftNodeOptions } from './options.js';
import type { RaftNodeStats, StateMachine, Transport } from './types.js';
import { Waiters } from './waiters.js';

export interface RaftNodeConfig<R> {
  readonly id: NodeId;
  /** Directory of this member's LevelDB store; created if missing, recovered if not. */
  readonly dir: string;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  /** Members of a brand-new cluster (including `id`). Ignored when `dir` already holds state; omit to join. */
  readonly peers?: readonly NodeId[];
}

type Lifecycle = 'running' | 'stopped';

/** The core's own default for maxSizePerMsgBytes. */
const DEFAULT_MAX_APPEND_BYTES = 1024 * 1024;

interface PendingSnapshot {
  readonly index: number;
  readonly confState: ConfState;
  data: Uint8Array | null;
}

export class RaftNode<R = unknown> {
  private lifecycle: Lifecycle = 'running';
  private stopping: Promise<void> | null = null;
  private looping: Promise<void> | null = null;
  private scheduled = false;
  private readonly ticker: NodeJS.Timeout;
  private readonly waiters: Waiters;
  private readonly stats_ = { syncedWrites: 0, readies: 0, persistedEntries: 0, snapshotsTaken: 0 };
  private leader: NodeId | null = null;
  private role: Role = 'follower';
  /** The hard state as last handled (its commit index may not be written yet, see persist()). */
  private hard: HardState;
  /** A commit-only hard state change not yet written; the next write carries it. */
  private unsavedHardState: HardState | null = null;
  private nextReadId = 0;
  /** Index of the newest snapshot stored; the next automatic one is due snapshotEveryEntries after it. */
  private snapshotIndex: number;
  /** A snapshot the state machine is still serialising (data null), or whose data waits to be stored. */
  private pendingSnapshot: PendingSnapshot | null = null;

  private constructor(
    readonly id: NodeId,
    private readonly core: Core,
    private readonly mem: MemoryStorage,
    private readonly store: LevelLogStore,
    private readonly transport: Transport,
    private readonly sm: StateMachine<R>,
    private readonly opts: CompiledNodeOptions,
    /** Invariant: the state machine reflects exactly the entries up to here. */
    private applied: number,
    /** Invariant: the membership as of `applied`. */
    private confState: ConfState,
  ) {
    this.hard = mem.initialState().hardState;
    this.snapshotIndex = applied;
    this.waiters = new Waiters(opts.requestTimeoutMs);
    this.ticker = setInterval(() => this.onTick(), opts.tickMs);
    this.ticker.unref();
  }

  /** Opens (or recovers) the member's store, restores the state machine and starts ticking. */
  static async start<R>(config: RaftNodeConfig<R>, options?: RaftNodeOptions): Promise<RaftNode<R>> {
    const opts = compileNodeOptions(options);
    const store = await LevelLogStore.open(config.dir);
    try {
      const { mem, applied, confState } = await recover(store, config.stateMachine, config.peers ?? []);
      const core = createCore({ id: config.id, storage: mem, applied, opts });
      return new RaftNode(config.id, core, mem, store, config.transport, config.stateMachine, opts, applied, confState);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Delivers a message from another member. */
  step(message: Message): void {
    if (this.lifecycle !== 'running') return;
    this.core.step(message);
    this.schedule();
  }

  /**
   * Proposes a command; resolves with the state machine's result once it is applied here. Rejects with
   * NotLeaderError (naming the leader) on a follower, LeadershipLostError if leadership moves on first.
   */
  propose(data: Uint8Array): Promise<R> {
    if (data.byteLength === 0) return Promise.reject(new EmptyProposalError());
    return this.submit(() => this.core.propose(data)) as Promise<R>;
  }

  /** Proposes one membership change; resolves with the new membership once applied. */
  proposeConfChange(change: ConfChange): Promise<ConfState> {
    return this.submit(() => this.core.proposeConfChange(change)) as Promise<ConfState>;
  }

  private submit(propose: () => number): Promise<unknown> {
    if (this.lifecycle !== 'running') return Promise.reject(new NodeStoppedError());
    let index: number;
    try {
      index = propose();
    } catch (err) {
      return Promise.reject(err);
    }
    const waiting = this.waiters.waitApplied(index, this.core.status().term, Date.now());
    this.schedule();
    return waiting;
  }

  /** Resolves when a linearizable read may be served from this member's state machine. */
  readIndex(): Promise<void> {
    if (this.lifecycle !== 'running') return Promise.reject(new NodeStoppedError());
    const context = `${this.id}/${this.nextReadId++}`;
    // Asked first: with no leader known the core throws, and a waiter registered before it would be
    // rejected at its deadline with nobody listening (an unhandled rejection that ended the process).
    try {
      this.core.readIndex(context);
    } catch (err) {
      return Promise.reject(err);
    }
    const waiting = this.waiters.waitRead(context, Date.now());
    this.schedule();
    return waiting;
  }

  /**
   * The transport saw the leader's endpoint go away (connection closed, then refused): forget it and
   * campaign after a short random delay, so a crashed leader is replaced in well under an election
   * timeout while a mere network blip (no refusal) changes nothing. The jitter keeps two followers that
   * notice together from splitting the vote.
   */
  leaderGone(leader: NodeId, jitterMsMax: number): void {
    if (this.lifecycle !== 'running' || this.leader !== leader) return;
    this.core.forgetLeader();
    this.schedule();
    const timer = setTimeout(() => {
      if (this.lifecycle === 'running' && this.leader === null) {
        this.core.campaign();
        this.schedule();
      }
    }, Math.floor(this.opts.random() * jitterMsMax));
    timer.unref();
  }

  /** Asks the leader (this member) to hand leadership to `to`. */
  transferLeadership(to: NodeId): void {
    if (this.lifecycle !== 'running') throw new NodeStoppedError();
    this.core.transferLeadership(to);
    this.schedule();
  }

  /** The leader as this member last learned it. */
  get leaderId(): NodeId | null {
    return this.leader;
  }

  get appliedIndex(): number {
    return this.applied;
  }

  get membership(): ConfState {
    return this.confState;
  }

  stats(): RaftNodeStats {
    return { ...this.stats_ };
  }

  /** Stops ticking, lets an in-flight Ready finish, fails waiting callers, closes storage. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown(new NodeStoppedError());
    return this.stopping;
  }

  private async shutdown(reason: unknown): Promise<void> {
    this.lifecycle = 'stopped';
    clearInterval(this.ticker);
    await this.looping;
    this.waiters.failAll(reason);
    if (this.unsavedHardState !== null) await this.store.save({ hardState: this.unsavedHardState }, { sync: true });
    await this.store.close();
  }

  private onTick(): void {
    if (this.lifecycle !== 'running') return;
    this.core.tick();
    for (const context of this.waiters.takeReadRetries()) this.core.readIndex(context);
    this.waiters.expire(Date.now());
    this.schedule();
  }

  /** Defers to a microtask so that every request made in the same turn lands in one Ready. */
  private schedule(): void {
    if (this.scheduled || this.looping !== null) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.looping !== null || this.lifecycle !== 'running') return;
      this.looping = this.loop().finally(() => {
        this.looping = null;
      });
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.lifecycle === 'running' && this.core.hasReady()) {
        const rd = this.core.ready();
        await this.handleReady(rd);
        this.core.advance(rd);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.stopping !== null) return;
    // Called from inside the loop: shut down without awaiting the loop itself.
    this.lifecycle = 'stopped';
    this.stopping = (async () => {
      clearInterval(this.ticker);
      this.waiters.failAll(new NodeStoppedError(err));
      await this.store.close();
    })();
    this.opts.onFatal(err);
  }

  private async handleReady(rd: Ready): Promise<void> {
    this.stats_.readies++;
    const applyNow = this.mayApplyWhilePersisting(rd);
    const sendNow = this.maySendBeforePersisting(rd);
    // A leader's Ready without new entries carries commit broadcasts that no caller waits for, while
    // its committed entries are what a caller waits for: answer first, then send.
    const sendAfterApplying = sendNow && applyNow && rd.entries.length === 0;
    if (sendNow && !sendAfterApplying) this.send(rd.messages);
    const persisting = this.persist(rd);
    if (applyNow) {
      try {
        await this.applyEntries(rd.committedEntries);
      } finally {
        await persisting;
      }
    } else {
      await persisting;
    }
    if (!sendNow || sendAfterApplying) this.send(rd.messages);
    if (rd.snapshot) await this.installSnapshot(rd.snapshot);
    if (!applyNow && rd.committedEntries.length > 0) await this.applyEntries(rd.committedEntries);
    for (const rs of rd.readStates) this.waiters.readState(rs.context, rs.index);
    this.waiters.releaseReads(this.applied);
    this.trackLeadership(rd);
    await this.maybeSnapshot();
  }

  private send(messages: readonly Message[]): void {
    if (messages.length > 0) this.transport.send(coalesceAppends(messages, this.opts.raft.maxSizePerMsgBytes ?? DEFAULT_MAX_APPEND_BYTES));
  }

  /**
   * Committed entries that were already durable here before this Ready are safe to apply while the
   * Ready's own write (typically just the new commit index) is still in flight, as etcd's server does;
   * this takes that write off the path between commit and the proposer's answer.
   */
  private mayApplyWhilePersisting(rd: Ready): boolean {
    const last = rd.committedEntries[rd.committedEntries.length - 1];
    return last !== undefined && rd.snapshot === null && last.index <= this.mem.lastIndex() && (rd.entries[0]?.index ?? Infinity) > last.index;
  }

  /**
   * A leader may replicate entries while it writes them itself (Raft thesis §10.2.1, as etcd does):
   * they commit only once a majority has them durably, and the leader applies them only after its own
   * write. Followers never send early: their acknowledgements promise durability. Neither does anyone
   * whose term or vote is changing, as its messages would rest on a promise not yet on disk.
   */
  private maySendBeforePersisting(rd: Ready): boolean {
    const role = rd.softState?.role ?? this.role;
    return role === 'leader' && (rd.hardState === null || (rd.hardState.term === this.hard.term && rd.hardState.vote === this.hard.vote));
  }

  private async persist(rd: Ready): Promise<void> {
    if (!rd.mustSync && rd.entries.length === 0 && !rd.snapshot) {
      // Only the commit index moved. A stored commit index that lags is safe (after a restart the
      // leader tells us again), so it rides along with the next write instead of costing one now.
      if (rd.hardState) {
        this.unsavedHardState = rd.hardState;
        this.mem.setHardState(rd.hardState);
      }
      return;
    }
    const hardState = rd.hardState ?? this.unsavedHardState;
    this.unsavedHardState = null;
    await this.store.save({ hardState, entries: rd.entries, snapshot: rd.snapshot }, { sync: rd.mustSync });
    if (rd.mustSync) this.stats_.syncedWrites++;
    this.stats_.persistedEntries += rd.entries.length;
    if (rd.snapshot) this.mem.applySnapshot(rd.snapshot);
    if (rd.hardState) this.mem.setHardState(rd.hardState);
    this.mem.append(rd.entries);
  }

  private async installSnapshot(snap: Snapshot): Promise<void> {
    await this.sm.restore(snap.data);
    this.applied = snap.meta.index;
    this.snapshotIndex = snap.meta.index;
    this.confState = snap.meta.confState;
  }

  private async applyEntries(entries: readonly Entry[]): Promise<void> {
    let batch: Entry[] = [];
    for (const e of entries) {
      if (e.index <= this.applied) continue;
      if (e.type === 'normal' && e.data.byteLength > 0) {
        batch.push(e);
        continue;
      }
      await this.applyBatch(batch);
      batch = [];
      if (e.type === 'conf-change') {
        this.confState = this.core.applyConfChange(decodeConfChange(e.data));
        this.waiters.applied(e.index, e.term, this.confState);
      } else {
        // The leader's no-op: it takes the slot of anything an older leader here had proposed.
        this.waiters.applied(e.index, e.term, undefined);
      }
      this.applied = e.index;
    }
    await this.applyBatch(batch);
  }

  private async applyBatch(batch: readonly Entry[]): Promise<void> {
    if (batch.length === 0) return;
    const results = await this.sm.apply(batch);
    if (results.length !== batch.length) {
      throw new Error(`assertion failed: state machine returned ${results.length} results for ${batch.length} entries`);
    }
    for (let k = 0; k < batch.length; k++) this.waiters.applied(batch[k]!.index, batch[k]!.term, results[k]);
    this.applied = batch[batch.length - 1]!.index;
  }

  private trackLeadership(rd: Ready): void {
    const wasLeader = this.role === 'leader';
    const termChanged = rd.hardState !== null && rd.hardState.term !== this.hard.term;
    const previousLeader = this.leader;
    if (rd.softState) {
      this.leader = rd.softState.leader;
      this.role = rd.softState.role;
    }
    if (rd.hardState) this.hard = rd.hardState;
    if (this.leader !== previousLeader) this.opts.onLeaderChange(this.leader, this.hard.term);
    if (wasLeader && (this.role !== 'leader' || termChanged)) this.waiters.leadershipLost();
  }

  /**
   * Takes a snapshot every snapshotEveryEntries applied entries, in two steps: the state machine
   * captures its state when asked and may serialise it over many turns of the event loop (a store of
   * 100,000 tasks takes ~1.5 s of CPU), while the node goes on handling Readys; the first Ready after
   * the data is there stores it, with the index and membership of the moment it was captured, as
   * etcd's server clones its store and saves the clone in the background. Awaiting the serialisation
   * here held up every Ready, heartbeats included, long enough to cost the leader its leadership.
   */
  private async maybeSnapshot(): Promise<void> {
    const pending = this.pendingSnapshot;
    if (pending !== null) {
      if (pending.data === null) return;
      this.pendingSnapshot = null;
      await this.storeSnapshot(pending.index, pending.confState, pending.data);
      return;
    }
    const every = this.opts.snapshotEveryEntries;
    if (every === 0 || this.applied - this.snapshotIndex < every) return;
    const taken: PendingSnapshot = { index: this.applied, confState: this.confState, data: null };
    this.pendingSnapshot = taken;
    Promise.resolve(this.sm.snapshot()).then(
      (data) => {
        taken.data = data;
        this.schedule();
      },
      (err: unknown) => this.fail(err),
    );
  }

  private async storeSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<void> {
    // A snapshot installed from the leader meanwhile already covers it.
    if (index <= this.snapshotIndex) return;
    const snap = this.mem.createSnapshot(index, confState, data);
    await this.store.saveSnapshot(snap, { sync: true });
    this.snapshotIndex = snap.meta.index;
    this.stats_.snapshotsTaken++;
    const compactTo = index - this.opts.keepEntriesAfterSnapshot;
    if (compactTo >= this.mem.firstIndex()) {
      this.mem.compact(compactTo);
      await this.store.compact(compactTo);
    }
  }
}
