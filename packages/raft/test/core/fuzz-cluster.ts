// A small randomized cluster for safety checks: random ticks, message loss, duplication and
// reordering, partitions, restarts, compaction and membership changes, all from one seed. It
// asserts Raft's safety properties as it goes (one leader per term; every node applies the same
// entry at each index, in order) and liveness once the faults stop.
import assert from 'node:assert/strict';
import { decodeConfChange } from '../../src/core/confchange-codec.js';
import { RaftError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/random.js';
import { RawNode } from '../../src/core/rawnode.js';
import { MemoryStorage } from '../../src/core/storage.js';
import type { ConfChange, ConfState, Entry, Index, Message, NodeId, Snapshot, Term } from '../../src/core/types.js';

const text = new TextDecoder();
const bytes = new TextEncoder();

interface FuzzNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode;
  applied: Index;
  confState: ConfState;
  /** [index, entry description] of every applied normal entry: the state machine. */
  state: Array<[Index, string]>;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly steps: number;
  readonly dropRate: number;
}

/** What a run exercised, so that a test can check the faults actually reached the interesting paths. */
export interface FuzzCoverage {
  snapshotsInstalled: number;
  confChangesApplied: number;
  terms: number;
}

export class FuzzCluster {
  readonly nodes = new Map<NodeId, FuzzNode>();
  readonly coverage: FuzzCoverage = { snapshotsInstalled: 0, confChangesApplied: 0, terms: 0 };
  private net: Message[] = [];
  private readonly rand: () => number;
  /** What was applied at each index, by whoever applied it first. */
  private readonly applied = new Map<Index, string>();
  private readonly leaders = new Map<Term, NodeId>();
  private readonly everRemoved = new Set<NodeId>();
  private partition: Set<NodeId> | null = null;
  private proposals = 0;
  private boots = 0;
  private dropRate: number;

  constructor(private readonly opts: FuzzOptions) {
    this.rand = seededRandom(opts.seed);
    this.dropRate = opts.dropRate;
    const boot: Snapshot = { meta: { index: 1, term: 1, confState: { voters: ['1', '2', '3'], learners: [] } }, data: bytes.encode('[]') };
    for (const id of ['1', '2', '3', '4', '5']) {
      const storage = new MemoryStorage();
      if (Number(id) <= 3) storage.applySnapshot(boot);
      const node: FuzzNode = { id, storage, raw: undefined as unknown as RawNode, applied: 0, confState: { voters: [], learners: [] }, state: [] };
      this.boot(node);
      this.nodes.set(id, node);
    }
  }

  run(): void {
    for (let i = 0; i < this.opts.steps; i++) this.step();
    this.heal();
    this.converge();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  private boot(node: FuzzNode): void {
    const snap = node.storage.snapshot();
    // Every boot gets its own random stream: nodes sharing one would time out in lockstep forever.
    node.raw = new RawNode({
      id: node.id, storage: node.storage, random: seededRandom(this.opts.seed * 7919 + this.boots++),
      // Small limits so that chunking, message size limits and flow control all come into play.
      maxSnapshotChunkBytes: 16, maxSizePerMsgBytes: 64, maxInflightMsgs: 4, maxInflightBytes: 128, snapshotRetryTicks: 5,
    });
    node.applied = snap.meta.index;
    node.confState = snap.meta.confState;
    node.state = JSON.parse(text.decode(snap.data.byteLength === 0 ? bytes.encode('[]') : snap.data)) as Array<[Index, string]>;
  }

  private step(): void {
    const r = this.rand();
    const node = this.pick([...this.nodes.values()]);
    if (r < 0.2) node.raw.tick();
    else if (r < 0.65) this.deliverOne();
    else if (r < 0.85) this.processReady(node);
    else if (r < 0.93) this.tryPropose(node);
    else if (r < 0.95) this.tryConfChange(node);
    else if (r < 0.97) this.compact(node);
    else if (r < 0.975) this.boot(node); // crash and restart: only what was persisted survives
    else if (r < 0.977) this.partition = this.rand() < 0.5 ? null : new Set([...this.nodes.keys()].filter(() => this.rand() < 0.5));
  }

  private blocked(m: Message): boolean {
    return this.partition !== null && this.partition.has(m.from) !== this.partition.has(m.to);
  }

  private deliverOne(): void {
    if (this.net.length === 0) return;
    const at = Math.floor(this.rand() * this.net.length);
    const m = this.net[at]!;
    if (this.rand() >= 0.03) this.net.splice(at, 1); // otherwise it is delivered again later
    if (this.blocked(m) || this.rand() < this.dropRate) return;
    this.nodes.get(m.to)!.raw.step(m);
  }

  private processReady(node: FuzzNode): void {
    if (!node.raw.hasReady()) return;
    const rd = node.raw.ready();
    if (rd.hardState !== null) node.storage.setHardState(rd.hardState);
    if (rd.snapshot !== null) node.storage.applySnapshot(rd.snapshot);
    node.storage.append(rd.entries);
    this.net.push(...rd.messages);
    if (rd.snapshot !== null) this.installSnapshot(node, rd.snapshot);
    for (const e of rd.committedEntries) this.apply(node, e);
    node.raw.advance(rd);
    const s = node.raw.status();
    if (s.role === 'leader') {
      const known = this.leaders.get(s.term);
      assert.ok(known === undefined || known === node.id, `seed ${this.opts.seed}: two leaders in term ${s.term}: ${known} and ${node.id}`);
      if (known === undefined) this.coverage.terms++;
      this.leaders.set(s.term, node.id);
    }
  }

  private record(index: Index, what: string): void {
    const seen = this.applied.get(index);
    assert.ok(seen === undefined || seen === what, `seed ${this.opts.seed}: index ${index} applied as ${seen} and as ${what}`);
    this.applied.set(index, what);
  }

  private apply(node: FuzzNode, e: Entry): void {
    assert.equal(e.index, node.applied + 1, `seed ${this.opts.seed}: node ${node.id} applied ${e.index} after ${node.applied}`);
    const what = `${e.term}/${e.type}/${text.decode(e.data)}`;
    this.record(e.index, what);
    if (e.type === 'conf-change') {
      node.confState = node.raw.applyConfChange(decodeConfChange(e.data));
      this.coverage.confChangesApplied++;
    }
    else node.state.push([e.index, what]);
    node.applied = e.index;
  }

  private installSnapshot(node: FuzzNode, snap: Snapshot): void {
    assert.ok(snap.meta.index > node.applied, `seed ${this.opts.seed}: node ${node.id} got snapshot ${snap.meta.index} behind applied ${node.applied}`);
    node.state = JSON.parse(text.decode(snap.data)) as Array<[Index, string]>;
    for (const [index, what] of node.state) this.record(index, what);
    node.applied = snap.meta.index;
    node.confState = snap.meta.confState;
    this.coverage.snapshotsInstalled++;
  }

  private tryPropose(node: FuzzNode, data = `p${this.proposals++}`): void {
    try {
      node.raw.propose(bytes.encode(data));
    } catch (err) {
      if (!(err instanceof RaftError) || err.code === 'RAFT_INVARIANT') throw err;
    }
  }

  private tryConfChange(node: FuzzNode): void {
    const id = this.pick(['1', '2', '3', '4', '5']);
    const type = this.pick(['add-voter', 'add-learner', 'remove'] as const);
    if (type !== 'remove' && this.everRemoved.has(id)) return; // ids are never reused
    const cc: ConfChange = { type, nodeId: id };
    try {
      node.raw.proposeConfChange(cc);
      if (type === 'remove') this.everRemoved.add(id);
    } catch (err) {
      if (!(err instanceof RaftError) || err.code === 'RAFT_INVARIANT') throw err;
    }
  }

  private compact(node: FuzzNode): void {
    const index = node.applied;
    if (index <= node.storage.snapshot().meta.index || index > node.storage.lastIndex()) return;
    const data = bytes.encode(JSON.stringify(node.state));
    node.storage.createSnapshot(index, node.confState, data);
    node.storage.compact(index);
  }

  private heal(): void {
    this.partition = null;
    this.dropRate = 0;
  }

  /**
   * Without faults the cluster must elect a leader that commits a new entry of its own term and
   * brings every member up to it.
   */
  private converge(): void {
    for (let round = 0; round < 2000; round++) {
      for (const node of this.nodes.values()) node.raw.tick();
      for (let i = 0; i < 50 && (this.net.length > 0 || i === 0); i++) {
        for (const node of this.nodes.values()) this.processReady(node);
        const batch = this.net;
        this.net = [];
        for (const m of batch) this.nodes.get(m.to)!.raw.step(m);
      }
      const leader = [...this.nodes.values()].find((n) => n.raw.status().role === 'leader');
      if (leader === undefined) continue;
      const s = leader.raw.status();
      const marked = leader.state.some(([, what]) => what === `${s.term}/normal/final`);
      if (!marked) {
        this.tryPropose(leader, 'final');
        continue;
      }
      const members = [...leader.confState.voters, ...leader.confState.learners];
      if (s.commit === s.lastIndex && members.every((id) => this.nodes.get(id)!.applied >= s.commit)) return;
    }
    assert.fail(`seed ${this.opts.seed}: no convergence after faults stopped`);
  }
}
