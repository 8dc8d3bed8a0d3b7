// A cluster of RaftNodes in one process: each member on its own LevelDB directory, messages carried
// by an in-memory network that can isolate members, and a tiny key-value state machine.
import type { TestContext } from 'node:test';
import type { Entry, Message, NodeId } from '../../src/core/types.js';
import { RaftNode, type RaftNodeOptions, type StateMachine, type Transport } from '../../src/node/index.js';
import { tempDir } from '../storage/helpers.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function put(key: string, value: string): Uint8Array {
  return encoder.encode(JSON.stringify({ key, value }));
}

/** Applies {key, value} puts; each apply returns the index it was applied at. */
export class KvStateMachine implements StateMachine<number> {
  readonly data = new Map<string, string>();

  apply(entries: readonly Entry[]): number[] {
    return entries.map((e) => {
      const { key, value } = JSON.parse(decoder.decode(e.data)) as { key: string; value: string };
      this.data.set(key, value);
      return e.index;
    });
  }
  restore(data: Uint8Array): void {
    this.data.clear();
    for (const [k, v] of JSON.parse(decoder.decode(data)) as [string, string][]) this.data.set(k, v);
  }
  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify([...this.data]));
  }
}

export class MemNetwork {
  private readonly nodes = new Map<NodeId, RaftNode<number>>();
  private readonly isolated = new Set<NodeId>();
  /** Sees every batch a member hands to its transport, at the moment it does. */
  onSend: ((from: NodeId, messages: readonly Message[]) => void) | null = null;

  transport(from: NodeId): Transport {
    return {
      send: (messages: readonly Message[]) => {
        this.onSend?.(from, messages);
        // Deliver on a later turn, like a real network, so no member re-enters another's loop.
        setImmediate(() => {
          for (const m of messages) {
            if (this.isolated.has(from) || this.isolated.has(m.to)) continue;
            this.nodes.get(m.to)?.step(m);
          }
        });
      },
    };
  }
  attach(node: RaftNode<number>): void {
    this.nodes.set(node.id, node);
  }
  detach(id: NodeId): void {
    this.nodes.delete(id);
  }
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }
  heal(id: NodeId): void {
    this.isolated.delete(id);
  }
}

export const FAST: RaftNodeOptions = { tickMs: 10, electionTicks: 10, heartbeatTicks: 1, requestTimeoutMs: 5000 };

export interface Member {
  readonly id: NodeId;
  readonly dir: string;
  node: RaftNode<number>;
  sm: KvStateMachine;
  running: boolean;
}

export class Cluster {
  readonly net = new MemNetwork();
  readonly members = new Map<NodeId, Member>();

  private constructor(private readonly options: RaftNodeOptions) {}

  static async start(t: TestContext, ids: readonly NodeId[], options: RaftNodeOptions = FAST): Promise<Cluster> {
    const cluster = new Cluster(options);
    t.after(() => cluster.stopAll());
    for (const id of ids) {
      const dir = await tempDir(t, `shoal-raft-${id}-`);
      const sm = new KvStateMachine();
      const node = await cluster.startNode(id, dir, sm, ids);
      cluster.members.set(id, { id, dir, node, sm, running: true });
    }
    return cluster;
  }

  private async startNode(id: NodeId, dir: string, sm: KvStateMachine, peers: readonly NodeId[]): Promise<RaftNode<number>> {
    const node = await RaftNode.start({ id, dir, transport: this.net.transport(id), stateMachine: sm, peers }, this.options);
    this.net.attach(node);
    return node;
  }

  member(id: NodeId): Member {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  /** Adds a member with an empty store that the leader must catch up (after a conf change). */
  async join(t: TestContext, id: NodeId): Promise<Member> {
    const dir = await tempDir(t, `shoal-raft-${id}-`);
    const sm = new KvStateMachine();
    const member = { id, dir, node: await this.startNode(id, dir, sm, []), sm, running: true };
    this.members.set(id, member);
    return member;
  }

  async stopMember(id: NodeId): Promise<void> {
    this.net.detach(id);
    this.member(id).running = false;
    await this.member(id).node.stop();
  }

  /** Restarts a stopped member from its directory with a fresh state machine. */
  async restartMember(id: NodeId): Promise<Member> {
    const m = this.member(id);
    m.sm = new KvStateMachine();
    m.node = await this.startNode(id, m.dir, m.sm, []);
    m.running = true;
    return m;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.node.stop()));
  }

  /** Waits (bounded) until every running member agrees on one leader, and returns it. */
  async leader(timeoutMs = 5000): Promise<Member> {
    let found: Member | undefined;
    await waitFor(() => {
      const running = this.running();
      const leaders = new Set(running.map((m) => m.node.leaderId));
      const id = running[0]?.node.leaderId;
      found = leaders.size === 1 && id != null ? this.members.get(id) : undefined;
      return found !== undefined;
    }, timeoutMs, 'a leader all members agree on');
    return found!;
  }

  running(): Member[] {
    return [...this.members.values()].filter((m) => m.running);
  }

  followers(leader: Member): Member[] {
    return this.running().filter((m) => m !== leader);
  }

  /** Waits (bounded) until every running member has applied `key` = `value`. */
  async converged(key: string, value: string, timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.running().every((m) => m.sm.data.get(key) === value), timeoutMs, `every member to apply ${key}=${value}`);
  }
}

/** Polls `cond` until it holds; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
