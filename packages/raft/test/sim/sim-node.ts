// One simulated Raft member: a RawNode with its storage, its disk and the key-value state machine,
// driven the way a real driver would (persist, fsync, send, apply, advance). Everything it holds
// outside the disk is volatile and dies in crash(); restart() rebuilds it from the disk alone.

import { decodeConfChange } from '../../src/core/confchange-codec.js';
import { NotLeaderError, ProposalDroppedError } from '../../src/core/errors.js';
import { RawNode } from '../../src/core/rawnode.js';
import type { MemoryStorage } from '../../src/core/storage.js';
import type { ConfChange, ConfState, Entry, Message, NodeId, Ready, Snapshot } from '../../src/core/types.js';
import { entryDigest, type Checkers, type LogView } from './checkers/index.js';
import type { SimDisk } from './durable.js';
import type { KvOp, KvResult } from './history.js';
import { encodeCommand, KvStore } from './kv.js';
import type { SimOptions } from './options.js';
import type { Prng } from './prng.js';

export interface ClientRequest {
  readonly client: number;
  readonly opId: number;
  readonly op: KvOp;
}

export type ClientReply =
  | { readonly opId: number; readonly kind: 'ok'; readonly result: KvResult }
  /** The operation definitely did not happen; `leader` is a hint where to retry. */
  | { readonly opId: number; readonly kind: 'refused'; readonly reason: string; readonly leader: NodeId | null };

/** What a node needs from the world around it. */
export interface NodeEnv {
  readonly options: SimOptions;
  readonly checkers: Checkers;
  nowMs(): number;
  send(message: Message): void;
  reply(client: number, reply: ClientReply): void;
  confChangeApplied(by: NodeId, cc: ConfChange): void;
  /** Counts a notable event for the run's statistics. */
  count(event: 'crash' | 'restart' | 'snapshot-installed' | 'snapshot-taken'): void;
}

interface Volatile {
  readonly storage: MemoryStorage;
  readonly raw: RawNode;
  kv: KvStore;
  confState: ConfState;
  snapshotIndex: number;
  /** Proposed writes awaiting their apply, by operation id. */
  readonly writes: Map<number, number>;
  /** Reads awaiting their read index (index null until the ReadState arrives), by context. */
  readonly reads: Map<string, { client: number; opId: number; key: string; index: number | null }>;
  /** A Ready persisted to the page cache and waiting for its fsync before the rest of it runs. */
  syncing: { rd: Ready; atMs: number } | null;
}

export type NodeState = 'up' | 'down' | 'removed';

export class SimNode {
  state: NodeState = 'down';
  incarnation = 0;
  private v: Volatile | null = null;

  constructor(
    readonly id: NodeId,
    private readonly disk: SimDisk,
    private readonly rng: Prng,
    private readonly env: NodeEnv,
  ) {}

  get raw(): RawNode | null {
    return this.v?.raw ?? null;
  }

  /** Builds the volatile state from the disk, as a process start does. */
  restart(): void {
    const storage = this.disk.load();
    const snap = storage.snapshot();
    const o = this.env.options;
    const random = this.rng.fork();
    const raw = new RawNode({
      id: this.id, storage, applied: snap.meta.index, random: () => random.next(),
      electionTicks: o.electionTicks, heartbeatTicks: o.heartbeatTicks, preVote: o.preVote, checkQuorum: o.checkQuorum,
      // Small limits, so that flow control and chunked snapshots are exercised too.
      maxSizePerMsgBytes: 512, maxInflightMsgs: 8, maxInflightBytes: 4096, maxSnapshotChunkBytes: 256,
    });
    const kv = KvStore.fromSnapshot(snap.data);
    this.v = {
      storage, raw, kv, confState: snap.meta.confState, snapshotIndex: snap.meta.index,
      writes: new Map(), reads: new Map(), syncing: null,
    };
    this.state = 'up';
    this.incarnation++;
    this.env.count('restart');
    const c = this.env.checkers;
    c.stateMachineSafety.observeRestore(this.id, kv.applied, kv.digest.toString(16));
    c.commitMonotonic.observeCommit(this.id, this.incarnation, raw.status().commit);
  }

  crash(): void {
    this.v = null;
    this.disk.crash();
    this.state = 'down';
    this.env.count('crash');
    this.env.checkers.leaderCompleteness.observeNotLeader(this.id);
  }

  /** Taken out of the cluster for good: it stops like a crash, and is never restarted. */
  retire(): void {
    if (this.state === 'up') this.crash();
    this.state = 'removed';
  }

  tick(): void {
    this.v?.raw.tick();
  }

  step(m: Message): void {
    this.v?.raw.step(m);
  }

  handleRequest(req: ClientRequest): void {
    const v = this.v;
    if (v === null) {
      this.env.reply(req.client, { opId: req.opId, kind: 'refused', reason: 'connection refused', leader: null });
      return;
    }
    try {
      const op = req.op;
      if (op.f === 'get' && this.env.options.sabotage === 'local-reads') {
        this.env.reply(req.client, { opId: req.opId, kind: 'ok', result: v.kv.get(op.key) });
      } else if (op.f === 'get') {
        const context = `${this.id}#${this.incarnation}:${req.opId}`;
        v.raw.readIndex(context);
        v.reads.set(context, { client: req.client, opId: req.opId, key: op.key, index: null });
      } else {
        v.raw.propose(encodeCommand({ ...op, opId: req.opId }));
        v.writes.set(req.opId, req.client);
      }
    } catch (err) {
      if (!(err instanceof NotLeaderError || err instanceof ProposalDroppedError)) throw err;
      const leader = err instanceof NotLeaderError ? err.leader : null;
      this.env.reply(req.client, { opId: req.opId, kind: 'refused', reason: err.code, leader });
    }
  }

  /** Runs the Ready loop one step; returns whether anything happened. */
  processReady(): boolean {
    const v = this.v;
    if (v === null) return false;
    if (v.syncing !== null) {
      if (this.env.nowMs() < v.syncing.atMs) return false;
      const rd = v.syncing.rd;
      v.syncing = null;
      this.sync();
      this.finishReady(v, rd);
      return true;
    }
    if (!v.raw.hasReady()) return false;
    const rd = v.raw.ready();
    this.persist(v, rd);
    if (!rd.mustSync) {
      this.finishReady(v, rd);
      return true;
    }
    const delayMs = this.rng.int(0, this.env.options.fsyncMsMax);
    if (delayMs > 0) {
      v.syncing = { rd, atMs: this.env.nowMs() + delayMs };
      return true;
    }
    this.sync();
    this.finishReady(v, rd);
    return true;
  }

  private sync(): void {
    if (this.env.options.sabotage !== 'no-fsync') this.disk.sync();
  }

  /** Snapshots the state machine and compacts the log once enough has been applied since the last one. */
  maybeSnapshot(): void {
    const v = this.v;
    const o = this.env.options;
    if (v === null || v.syncing !== null || v.kv.applied - v.snapshotIndex < o.snapshotEveryEntries) return;
    const index = v.kv.applied;
    const compactTo = Math.max(index - o.compactKeepEntries, v.storage.firstIndex() - 1);
    this.disk.write(v.storage, { kind: 'compact', index, confState: v.confState, data: v.kv.snapshot(), compactTo });
    this.sync();
    v.snapshotIndex = index;
    this.env.count('snapshot-taken');
  }

  /** A view of the live log for Leader Completeness. */
  logView(): LogView | null {
    const s = this.v?.storage;
    if (s === undefined) return null;
    return { snapshotIndex: s.firstIndex() - 1, lastIndex: s.lastIndex(), term: (i) => s.term(i) };
  }

  private persist(v: Volatile, rd: Ready): void {
    if (rd.hardState !== null) this.disk.write(v.storage, { kind: 'hard-state', hardState: rd.hardState });
    if (rd.snapshot !== null) this.disk.write(v.storage, { kind: 'snapshot', snapshot: rd.snapshot });
    if (rd.entries.length > 0) {
      this.disk.write(v.storage, { kind: 'entries', entries: rd.entries });
      for (const e of rd.entries)
        this.env.checkers.logMatching.observeWrite(this.id, { index: e.index, term: e.term, digest: entryDigest(e), prevTerm: v.storage.term(e.index - 1) });
    }
  }

  private finishReady(v: Volatile, rd: Ready): void {
    for (const m of rd.messages) this.env.send(m);
    if (rd.snapshot !== null) this.installSnapshot(v, rd.snapshot);
    for (const e of rd.committedEntries) this.apply(v, e);
    for (const rs of rd.readStates) {
      const read = v.reads.get(rs.context);
      if (read === undefined) continue;
      if (rs.index === 0) {
        v.reads.delete(rs.context);
        this.env.reply(read.client, { opId: read.opId, kind: 'refused', reason: 'read index unavailable', leader: null });
      } else read.index = rs.index;
    }
    this.serveReads(v);
    v.raw.advance(rd);
    this.observe(v);
  }

  private installSnapshot(v: Volatile, snap: Snapshot): void {
    v.kv = KvStore.fromSnapshot(snap.data);
    v.confState = snap.meta.confState;
    v.snapshotIndex = snap.meta.index;
    this.env.count('snapshot-installed');
    this.env.checkers.stateMachineSafety.observeRestore(this.id, v.kv.applied, v.kv.digest.toString(16));
  }

  private apply(v: Volatile, e: Entry): void {
    const out = v.kv.apply(e);
    this.env.checkers.stateMachineSafety.observeApply(this.id, e.index, entryDigest(e), v.kv.digest.toString(16));
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      v.confState = v.raw.applyConfChange(cc);
      this.env.confChangeApplied(this.id, cc);
    }
    if (out === null) return;
    const client = v.writes.get(out.command.opId);
    if (client === undefined) return;
    v.writes.delete(out.command.opId);
    this.env.reply(client, { opId: out.command.opId, kind: 'ok', result: out.result });
  }

  private serveReads(v: Volatile): void {
    for (const [context, read] of v.reads) {
      if (read.index === null || v.kv.applied < read.index) continue;
      v.reads.delete(context);
      this.env.reply(read.client, { opId: read.opId, kind: 'ok', result: v.kv.get(read.key) });
    }
  }

  /** Feeds the checkers what this node looks like now. */
  private observe(v: Volatile): void {
    const c = this.env.checkers;
    const s = v.raw.status();
    c.commitMonotonic.observeCommit(this.id, this.incarnation, s.commit);
    c.commitMonotonic.observeApplied(this.id, this.incarnation, v.kv.applied);
    if (s.role !== 'leader') {
      c.leaderCompleteness.observeNotLeader(this.id);
      return;
    }
    const log = this.logView() as LogView;
    c.electionSafety.observeLeader(this.id, s.term);
    c.leaderCompleteness.observeLeader(this.id, s.term, log);
    c.leaderCompleteness.observeLeaderCommit(s.term, s.commit, log);
  }
}
