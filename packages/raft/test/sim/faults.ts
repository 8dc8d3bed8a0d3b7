// Schedules the faults of a run: partitions (symmetric, asymmetric, leader isolation) and their
// healing, crashes and restarts, membership changes (add a learner, promote it, remove a voter or
// the leader itself) and leadership transfers. Each kind fires with its per-second odds from
// SimOptions, checked once per Raft tick.

import { ConfChangeRejectedError, LeadershipTransferError, NotLeaderError, ProposalDroppedError } from '../../src/core/errors.js';
import type { ConfChange, NodeId } from '../../src/core/types.js';
import type { SimNetwork } from './network.js';
import type { SimOptions } from './options.js';
import type { Prng } from './prng.js';
import type { SimNode } from './sim-node.js';

/** The cluster as the fault scheduler drives it. */
export interface FaultTarget {
  readonly network: SimNetwork;
  /** Nodes not removed, up or down. */
  members(): SimNode[];
  /** The up node that believes it leads, at the highest term; null if none. */
  leader(): SimNode | null;
  /** Whether the node may be added as a learner: it never was removed (ids are never reused). */
  mayJoin(node: SimNode): boolean;
  /** A fresh node with an empty disk, started. */
  addNode(): SimNode;
  log(line: string): void;
  count(event: string): void;
}

export class FaultScheduler {
  private readonly restarts = new Map<NodeId, number>();

  constructor(
    private readonly rng: Prng,
    private readonly options: SimOptions,
    private readonly target: FaultTarget,
  ) {}

  /** Called once per tick while faults are on. */
  tick(nowMs: number): void {
    const perTick = this.options.tickMs / 1000;
    const { network } = this.target;
    if (network.partition !== null && nowMs >= network.partition.healAtMs) {
      this.target.log(`heal ${network.partition.description}`);
      network.heal();
    }
    if (network.partition === null && this.rng.chance(this.options.partitionPerSecond * perTick)) this.partition(nowMs);
    if (this.rng.chance(this.options.crashPerSecond * perTick)) this.crashOne(nowMs);
    this.restartDue(nowMs);
    if (this.rng.chance(this.options.membershipPerSecond * perTick)) this.changeMembership();
    if (this.rng.chance(this.options.transferPerSecond * perTick)) this.transfer();
  }

  /** Ends the fault period: heal everything and bring every crashed member back. */
  healAll(): void {
    this.target.network.heal();
    for (const n of this.target.members()) if (n.state === 'down') n.restart();
    this.restarts.clear();
  }

  private partition(nowMs: number): void {
    const ids = this.target.members().map((n) => n.id);
    if (ids.length < 2) return;
    const healAtMs = nowMs + this.rng.int(this.options.partitionMsMin, this.options.partitionMsMax);
    const net = this.target.network;
    const leader = this.target.leader();
    const kind = this.rng.pick(['symmetric', 'asymmetric', 'isolate-leader'] as const);
    if (kind === 'isolate-leader' && leader !== null) {
      net.splitSymmetric([leader.id], ids.filter((id) => id !== leader.id), healAtMs, 'isolate-leader');
    } else {
      const shuffled = this.rng.shuffle(ids);
      const cut = this.rng.int(1, ids.length - 1);
      const [a, b] = [shuffled.slice(0, cut), shuffled.slice(cut)];
      if (kind === 'asymmetric') net.splitAsymmetric(a, b, healAtMs);
      else net.splitSymmetric(a, b, healAtMs);
    }
    this.target.count(`partition-${kind}`);
    this.target.log(`partition ${net.partition?.kind} ${net.partition?.description} until ${healAtMs}ms`);
  }

  private crashOne(nowMs: number): void {
    const members = this.target.members();
    const up = members.filter((n) => n.state === 'up');
    // Keep a majority of members up, so that the cluster can still make progress between faults.
    if (members.length - up.length + 1 > Math.floor((members.length - 1) / 2) || up.length === 0) return;
    const victim = this.rng.pick(up);
    victim.crash();
    const atMs = nowMs + this.rng.int(this.options.downMsMin, this.options.downMsMax);
    this.restarts.set(victim.id, atMs);
    this.target.log(`crash ${victim.id} until ${atMs}ms`);
  }

  private restartDue(nowMs: number): void {
    for (const [id, atMs] of this.restarts) {
      if (nowMs < atMs) continue;
      this.restarts.delete(id);
      const node = this.target.members().find((n) => n.id === id);
      if (node === undefined || node.state !== 'down') continue;
      node.restart();
      this.target.log(`restart ${id}`);
    }
  }

  private changeMembership(): void {
    const leader = this.target.leader();
    const raw = leader?.raw;
    if (leader === null || raw === null || raw === undefined) return;
    const { voters, learners } = raw.status().config;
    const members = this.target.members();
    const strangers = members.filter((n) => !voters.includes(n.id) && !learners.includes(n.id) && this.target.mayJoin(n));
    const options: ConfChange[] = [];
    if (learners.length > 0) options.push({ type: 'add-voter', nodeId: this.rng.pick(learners) });
    if (voters.length > 3) options.push({ type: 'remove', nodeId: this.rng.pick(voters) });
    if (learners.length > 0) options.push({ type: 'remove', nodeId: this.rng.pick(learners) });
    if (strangers.length > 0) options.push({ type: 'add-learner', nodeId: this.rng.pick(strangers).id });
    else if (members.length < this.options.nodeCountMax) options.push({ type: 'add-learner', nodeId: '' });
    if (options.length === 0) return;
    const picked = this.rng.pick(options);
    const cc: ConfChange = picked.type === 'add-learner' && picked.nodeId === '' ? { type: 'add-learner', nodeId: this.target.addNode().id } : picked;
    try {
      raw.proposeConfChange(cc);
      this.target.count(`propose-${cc.type}`);
      this.target.log(`propose ${cc.type} ${cc.nodeId} via ${leader.id}`);
    } catch (err) {
      if (!(err instanceof ConfChangeRejectedError || err instanceof NotLeaderError || err instanceof ProposalDroppedError)) throw err;
    }
  }

  private transfer(): void {
    const leader = this.target.leader();
    const raw = leader?.raw;
    if (leader === null || raw === null || raw === undefined) return;
    const others = raw.status().config.voters.filter((id) => id !== leader.id);
    if (others.length === 0) return;
    const to = this.rng.pick(others);
    try {
      raw.transferLeadership(to);
      this.target.count('transfer');
      this.target.log(`transfer ${leader.id} -> ${to}`);
    } catch (err) {
      if (!(err instanceof LeadershipTransferError || err instanceof NotLeaderError)) throw err;
    }
  }
}
