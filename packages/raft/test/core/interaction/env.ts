// The world of a scenario: nodes (each a RawNode over a MemoryStorage plus a toy state machine),
// the messages in flight between them, and the trace that the scenario file expects.
import { MemoryStorage } from '../../../src/core/storage.js';
import { RawNode } from '../../../src/core/rawnode.js';
import { decodeConfChange } from '../../../src/core/confchange-codec.js';
import { describeMessage, describeReady } from '../../../src/core/describe.js';
import type { RaftOptions } from '../../../src/core/options.js';
import { RaftError, RaftInvariantError } from '../../../src/core/errors.js';
import type { ConfState, Index, Message, NodeId, Ready, Snapshot } from '../../../src/core/types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EnvNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode;
  readonly options: Omit<RaftOptions, 'id' | 'storage' | 'logger'>;
  /** The toy state machine: the data of every applied normal entry, in order, with its index. */
  state: Array<{ readonly index: Index; readonly value: string }>;
  /** Membership after each applied change, to snapshot the right one at any applied index. */
  confHistory: Array<{ readonly index: Index; readonly confState: ConfState }>;
  applied: Index;
}

export class InteractionEnv {
  readonly nodes = new Map<NodeId, EnvNode>();
  /** Messages sent but not yet delivered, in send order. */
  queue: Message[] = [];
  /** When set, messages between different groups are dropped on delivery. */
  partition: ReadonlyArray<ReadonlySet<NodeId>> | null = null;
  logging = true;
  private out: string[] = [];
  private indent = '';

  /** Collects what a command prints; lines logged by the nodes land in the same trace. */
  capture(run: () => void): string {
    this.out = [];
    this.indent = '';
    try {
      run();
    } catch (err) {
      // Refusals are part of a scenario's trace; a broken invariant or a harness bug fails the test.
      if (!(err instanceof RaftError) || err instanceof RaftInvariantError) throw err;
      this.print(`error: ${err.code}: ${err.message}`);
    }
    return this.out.join('\n');
  }

  print(line: string): void {
    for (const l of line.split('\n')) this.out.push(this.indent + l);
  }

  /** Runs `run` with its output indented under `header` (or just indented, without one). */
  nested(header: string | null, run: () => void): void {
    if (header !== null) this.print(header);
    const saved = this.indent;
    this.indent += '  ';
    try {
      run();
    } finally {
      this.indent = saved;
    }
  }

  node(id: NodeId): EnvNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  addNode(id: NodeId, options: EnvNode['options'], bootstrap: Snapshot | null): void {
    const storage = new MemoryStorage();
    if (bootstrap !== null) storage.applySnapshot(bootstrap);
    const confHistory = bootstrap === null ? [] : [{ index: bootstrap.meta.index, confState: bootstrap.meta.confState }];
    const node: EnvNode = { id, storage, raw: undefined as unknown as RawNode, options, state: [], confHistory, applied: 0 };
    if (bootstrap !== null) this.restoreState(node, bootstrap);
    node.raw = this.newRawNode(node);
    this.nodes.set(id, node);
  }

  /** A node restarting from its storage: everything not persisted is gone. */
  restart(id: NodeId): void {
    const node = this.node(id);
    const snap = node.storage.snapshot();
    node.state = [];
    node.applied = 0;
    node.confHistory = [{ index: snap.meta.index, confState: snap.meta.confState }];
    this.restoreState(node, snap);
    node.raw = this.newRawNode(node);
  }

  private newRawNode(node: EnvNode): RawNode {
    return new RawNode({
      random: () => 0,
      ...node.options,
      id: node.id,
      storage: node.storage,
      logger: {
        info: (msg) => this.logging && this.print(`INFO ${msg}`),
        warn: (msg) => this.logging && this.print(`WARN ${msg}`),
      },
    });
  }

  confStateAt(node: EnvNode, index: Index): ConfState {
    let cs: ConfState = { voters: [], learners: [] };
    for (const h of node.confHistory) if (h.index <= index) cs = h.confState;
    return cs;
  }

  processReady(id: NodeId): void {
    const node = this.node(id);
    this.nested(`> ${id} handling Ready`, () => {
      const rd = node.raw.ready();
      this.print(describeReady(rd));
      this.persist(node, rd);
      this.queue.push(...rd.messages);
      this.apply(node, rd);
      node.raw.advance(rd);
    });
  }

  private persist(node: EnvNode, rd: Ready): void {
    if (rd.hardState !== null) node.storage.setHardState(rd.hardState);
    if (rd.snapshot !== null) node.storage.applySnapshot(rd.snapshot);
    node.storage.append(rd.entries);
  }

  private apply(node: EnvNode, rd: Ready): void {
    if (rd.snapshot !== null) {
      node.confHistory = [{ index: rd.snapshot.meta.index, confState: rd.snapshot.meta.confState }];
      this.restoreState(node, rd.snapshot);
    }
    for (const e of rd.committedEntries) {
      if (e.type === 'conf-change') {
        const confState = node.raw.applyConfChange(decodeConfChange(e.data));
        node.confHistory.push({ index: e.index, confState });
      } else if (e.data.byteLength > 0) {
        node.state.push({ index: e.index, value: decoder.decode(e.data) });
      }
      node.applied = e.index;
    }
  }

  private restoreState(node: EnvNode, snap: Snapshot): void {
    const text = decoder.decode(snap.data);
    node.state = text === '' ? [] : text.split(',').map((value) => ({ index: snap.meta.index, value }));
    node.applied = snap.meta.index;
  }

  /** The state machine as of `index` (which must be applied), as snapshot data. */
  snapshotData(node: EnvNode, index: Index): Uint8Array {
    if (index > node.applied) throw new Error(`node ${node.id} has applied only up to ${node.applied}, not ${index}`);
    return encoder.encode(node.state.filter((s) => s.index <= index).map((s) => s.value).join(','));
  }

  blocked(m: Message): boolean {
    if (this.partition === null) return false;
    const group = this.partition.find((g) => g.has(m.from));
    return group === undefined || !group.has(m.to);
  }

  /** Delivers (or drops) queued messages addressed to `to` that match `filter`; returns how many. */
  deliver(to: NodeId, filter: (m: Message) => boolean, drop: boolean): number {
    const picked = this.queue.filter((m) => m.to === to && filter(m));
    if (picked.length === 0) return 0;
    this.queue = this.queue.filter((m) => !picked.includes(m));
    const node = this.node(to);
    this.nested(`> ${to} receiving messages`, () => {
      for (const m of picked) {
        if (drop || this.blocked(m)) {
          this.print(`dropped: ${describeMessage(m)}`);
          continue;
        }
        this.print(describeMessage(m));
        this.nested(null, () => node.raw.step(m));
      }
    });
    return picked.length;
  }

  data(text: string): Uint8Array {
    return encoder.encode(text);
  }
}
