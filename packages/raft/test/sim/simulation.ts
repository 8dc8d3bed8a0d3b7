// One seeded simulation run: a Raft cluster of SimNodes on a SimNetwork, clients on a lossy channel,
// faults from the FaultScheduler, the invariant checkers fed on every Ready, and at the end (after
// the network heals and the cluster has a quiet period) a liveness check and the linearizability
// check of the client history. Everything derives from the seed and a virtual clock in
// milliseconds, so a failing seed replays exactly.

import type { ConfChange, Message, NodeId, Snapshot } from '../../src/core/types.js';
import { newCheckers, type Checkers } from './checkers/index.js';
import { Clients } from './clients.js';
import { SimDisk } from './durable.js';
import { FaultScheduler } from './faults.js';
import { TimedHeap } from './heap.js';
import { History } from './history.js';
import { KvStore } from './kv.js';
import { checkLinearizable } from './linearizability.js';
import { SimNetwork } from './network.js';
import { drawOptions, type SimOptions } from './options.js';
import { Prng } from './prng.js';
import { SimNode, type ClientReply, type ClientRequest } from './sim-node.js';

export interface SimStats {
  readonly nodesEver: number;
  readonly leaderTerms: number;
  readonly ops: number;
  readonly opsOk: number;
  readonly opsUnknown: number;
  readonly messagesSent: number;
  readonly messagesDropped: number;
  readonly events: Readonly<Record<string, number>>;
}

export interface SimResult {
  readonly seed: number;
  readonly options: SimOptions;
  /** null when every check passed. */
  readonly failure: string | null;
  readonly stats: SimStats;
  /** The last fault and leadership events, for reading a failure. */
  readonly trace: readonly string[];
}

/** Time left at the end of the quiet period for in-flight operations to finish. */
const DRAIN_MS = 1000;
/** How long after its removal is applied a removed member keeps running (the leader must commit it first). */
const RETIRE_AFTER_MS = 300;
const TRACE_LINES = 60;
/** Ready rounds per node per virtual millisecond: a bound, so a livelock cannot hang the run. */
const READY_ROUNDS_MAX = 50;

interface ClientDelivery {
  readonly atMs: number;
  readonly seq: number;
  readonly deliver: () => void;
}

export class Simulation {
  readonly network: SimNetwork;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly checkers: Checkers = newCheckers();
  private readonly history = new History();
  private readonly clients: Clients;
  private readonly faults: FaultScheduler;
  private readonly clientQueue = new TimedHeap<ClientDelivery>();
  private readonly retireAt = new Map<NodeId, number>();
  private readonly leaderTerms = new Set<number>();
  private readonly trace: string[] = [];
  private readonly events: Record<string, number> = {};
  private clientSeq = 0;
  private nextNodeNumber = 1;
  private now = 0;

  constructor(
    readonly seed: number,
    readonly options: SimOptions,
    private readonly rng: Prng,
  ) {
    this.network = new SimNetwork(rng.fork(), options);
    const ids = Array.from({ length: options.nodeCount }, () => `n${this.nextNodeNumber++}`);
    const boot: Snapshot = { meta: { index: 1, term: 1, confState: { voters: ids, learners: [] } }, data: KvStore.bootSnapshot(1) };
    for (const id of ids) this.startNode(id, SimDisk.bootstrapped(boot));
    this.clients = new Clients(rng.fork(), options, this.history, {
      toNode: (node, request) => this.toNode(node, request),
      candidates: () => this.members().map((n) => n.id),
    });
    this.faults = new FaultScheduler(rng.fork(), options, this);
  }

  run(): SimResult {
    const o = this.options;
    const endMs = o.faultMs + o.quiescentMs;
    let failure: string | null = null;
    let okAtHeal = 0;
    try {
      for (this.now = 0; this.now < endMs; this.now++) {
        if (this.now === o.faultMs) {
          this.faults.healAll();
          this.network.calmDown();
          okAtHeal = this.clients.okCount;
          this.log('faults end: network healed, every member restarted');
        }
        this.stepOnce(this.now < o.faultMs, this.now < endMs - DRAIN_MS);
      }
      failure = this.checkLiveness(okAtHeal) ?? this.checkHistory();
    } catch (err) {
      failure = `at ${this.now}ms: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err)}`;
    }
    return { seed: this.seed, options: o, failure, stats: this.stats(), trace: this.trace.slice(-TRACE_LINES) };
  }

  members(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.state !== 'removed');
  }

  leader(): SimNode | null {
    let best: SimNode | null = null;
    let bestTerm = -1;
    for (const n of this.members()) {
      const s = n.raw?.status();
      if (s?.role === 'leader' && s.term > bestTerm) [best, bestTerm] = [n, s.term];
    }
    return best;
  }

  mayJoin(node: SimNode): boolean {
    return node.state !== 'removed' && !this.retireAt.has(node.id);
  }

  addNode(): SimNode {
    return this.startNode(`n${this.nextNodeNumber++}`, new SimDisk());
  }

  count(event: string): void {
    this.events[event] = (this.events[event] ?? 0) + 1;
  }

  log(line: string): void {
    this.trace.push(`${this.now}ms ${line}`);
    if (this.trace.length > 4 * TRACE_LINES) this.trace.splice(0, this.trace.length - TRACE_LINES);
  }

  private startNode(id: NodeId, disk: SimDisk): SimNode {
    const node = new SimNode(id, disk, this.rng.fork(), {
      options: this.options,
      checkers: this.checkers,
      nowMs: () => this.now,
      send: (m: Message) => this.network.send(m, this.now),
      reply: (client: number, reply: ClientReply) => this.toClient(client, reply),
      confChangeApplied: (by: NodeId, cc: ConfChange) => this.confChangeApplied(by, cc),
      count: (event) => this.count(event),
    });
    this.nodes.set(id, node);
    node.restart();
    return node;
  }

  private stepOnce(faulty: boolean, invoking: boolean): void {
    const tick = this.now % this.options.tickMs === 0;
    if (tick && faulty) this.faults.tick(this.now);
    for (let m = this.network.nextDue(this.now); m !== undefined; m = this.network.nextDue(this.now)) {
      const to = this.nodes.get(m.to);
      if (to?.state === 'up') to.step(m);
    }
    for (let d = this.clientQueue.popDue(this.now); d !== undefined; d = this.clientQueue.popDue(this.now)) d.deliver();
    if (tick) for (const n of this.members()) n.tick();
    this.clients.step(this.now, invoking);
    for (const n of this.members()) {
      for (let round = 0; round < READY_ROUNDS_MAX && n.processReady(); round++);
      n.maybeSnapshot();
      this.noteLeader(n);
    }
    for (const [id, atMs] of this.retireAt) {
      if (this.now < atMs) continue;
      this.retireAt.delete(id);
      this.nodes.get(id)?.retire();
      this.log(`retire ${id}`);
    }
  }

  private noteLeader(n: SimNode): void {
    const s = n.raw?.status();
    if (s?.role !== 'leader' || this.leaderTerms.has(s.term)) return;
    this.leaderTerms.add(s.term);
    if (s.term > 1) this.count('election');
    this.log(`${n.id} leads term ${s.term} (voters ${s.config.voters.join(',')}; learners ${s.config.learners.join(',')})`);
  }

  private confChangeApplied(by: NodeId, cc: ConfChange): void {
    if (cc.type !== 'remove' || this.retireAt.has(cc.nodeId) || this.nodes.get(cc.nodeId)?.state === 'removed') return;
    this.log(`${by} applied remove ${cc.nodeId}`);
    this.count('member-removed');
    this.retireAt.set(cc.nodeId, this.now + RETIRE_AFTER_MS);
  }

  /** Client traffic shares the network's odds of loss and its delays, but not its partitions. */
  private clientDelay(): number | null {
    const o = this.options;
    if (this.now < o.faultMs && this.rng.chance(o.dropProbability)) return null;
    return this.rng.int(o.delayMsMin, Math.max(o.delayMsMin, o.delayMsMax));
  }

  private toNode(node: NodeId, request: ClientRequest): void {
    const delay = this.clientDelay();
    if (delay === null) return;
    this.clientQueue.push({ atMs: this.now + delay, seq: this.clientSeq++, deliver: () => this.nodes.get(node)?.handleRequest(request) });
  }

  private toClient(client: number, reply: ClientReply): void {
    const delay = this.clientDelay();
    if (delay === null) return;
    this.clientQueue.push({ atMs: this.now + delay, seq: this.clientSeq++, deliver: () => this.clients.onReply(client, reply, this.now) });
  }

  /** After the quiet period: one leader, every member caught up with it, and clients got work done. */
  private checkLiveness(okAtHeal: number): string | null {
    const leader = this.leader();
    const ls = leader?.raw?.status();
    if (leader === null || ls === undefined) return 'liveness: no leader at the end of the quiet period';
    for (const id of [...ls.config.voters, ...ls.config.learners]) {
      const s = this.nodes.get(id)?.raw?.status();
      if (s === undefined) return `liveness: member ${id} is not running at the end`;
      if (s.applied < ls.commit) return `liveness: member ${id} applied only ${s.applied} of the leader's commit ${ls.commit}`;
    }
    if (this.clients.okCount === okAtHeal) return 'liveness: no client operation succeeded after the network healed';
    return null;
  }

  private checkHistory(): string | null {
    const r = checkLinearizable(this.history.events);
    return r.ok ? null : `linearizability: ${r.detail} (bad keys: ${r.badKeys.join(', ')})`;
  }

  private stats(): SimStats {
    const events = this.history.events;
    return {
      nodesEver: this.nodes.size,
      leaderTerms: this.leaderTerms.size,
      ops: events.filter((e) => e.type === 'invoke').length,
      opsOk: events.filter((e) => e.type === 'ok').length,
      opsUnknown: events.filter((e) => e.type === 'info').length,
      messagesSent: this.network.stats.sent,
      messagesDropped: this.network.stats.dropped,
      events: { ...this.events },
    };
  }
}

/** Runs one seed: its options are drawn from the seed, then `overrides` apply on top. */
export function runSeed(seed: number, overrides: Partial<SimOptions> = {}): SimResult {
  const rng = new Prng(seed);
  const options: SimOptions = { ...drawOptions(rng.fork()), ...overrides };
  return new Simulation(seed, options, rng).run();
}

/** A multi-line account of a failed run, ending with how to replay it. */
export function describeFailure(r: SimResult): string {
  return [
    `seed ${r.seed} FAILED: ${r.failure}`,
    `options: ${JSON.stringify(r.options)}`,
    `stats: ${JSON.stringify(r.stats)}`,
    'last events:',
    ...r.trace.map((l) => `  ${l}`),
    `replay: SEED=${r.seed} npm run soak -w @shoal/raft`,
  ].join('\n');
}
