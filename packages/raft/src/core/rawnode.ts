// The driver's handle on a Raft node (like etcd's rawnode.go). Inputs: tick(), step(), proposals.
// Output: Ready, which the driver handles in order (persist, send, apply) and then hands back to
// advance(). One Ready is outstanding at a time; step() and proposals may be called meanwhile.
import { decodeConfChange, encodeConfChange } from './confchange-codec.js';
import { invariant } from './errors.js';
import { proposeEntry, reportSnapshot, reportUnreachable, transferLeadership } from './leader.js';
import { applyConfChange, proposeConfChange } from './membership.js';
import { compileRaftOptions, type RaftOptions } from './options.js';
import { Raft } from './raft.js';
import { requestRead } from './read-index.js';
import { hup } from './election.js';
import { statusOf, type RaftStatus } from './status.js';
import type { ConfChange, ConfState, HardState, Index, Message, NodeId, Ready, SoftState } from './types.js';

export { decodeConfChange, encodeConfChange };

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RawNode {
  private readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  private outstanding: Ready | null = null;

  constructor(options: RaftOptions) {
    this.raft = new Raft(compileRaftOptions(options));
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  /** Advances logical time by one tick (election and heartbeat timeouts count ticks). */
  tick(): void {
    this.raft.tick();
  }

  /** Feeds a message received from a peer. */
  step(m: Message): void {
    this.raft.step(m);
  }

  /** Starts an election now (with a pre-vote first when enabled). */
  campaign(): void {
    hup(this.raft, this.raft.cfg.preVote ? 'pre-election' : 'election');
  }

  /** See Raft.forgetLeader: a follower stops honouring a leader known to be down. */
  forgetLeader(): void {
    this.raft.forgetLeader();
  }

  /** Proposes a command; returns its log index. Throws NotLeaderError or ProposalDroppedError. */
  propose(data: Uint8Array): Index {
    return proposeEntry(this.raft, 'normal', data);
  }

  /** Proposes a membership change; also throws ConfChangeRejectedError (e.g. another one pending). */
  proposeConfChange(cc: ConfChange): Index {
    return proposeConfChange(this.raft, cc);
  }

  /** The driver calls this when it applies a committed conf-change entry; returns the new membership. */
  applyConfChange(cc: ConfChange): ConfState {
    return applyConfChange(this.raft, cc);
  }

  /**
   * Asks for a linearizable read. A ReadState with this context appears in a later Ready; serve
   * the read once applied >= its index. Throws NotLeaderError when no leader is known.
   */
  readIndex(context: string): void {
    requestRead(this.raft, context);
  }

  transferLeadership(to: NodeId): void {
    transferLeadership(this.raft, to);
  }

  reportUnreachable(id: NodeId): void {
    reportUnreachable(this.raft, id);
  }

  /** Tells the leader whether a snapshot sent to `id` was delivered (ok) or failed. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    reportSnapshot(this.raft, id, ok);
  }

  status(): RaftStatus {
    return statusOf(this.raft);
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    const r = this.raft;
    return !sameSoftState(r.softState(), this.prevSoftState) || !sameHardState(r.hardState(), this.prevHardState) ||
      r.log.unstable.snapshot !== null || r.log.unstable.entries.length > 0 || r.log.hasNextCommittedEntries() ||
      r.msgs.length > 0 || r.readStates.length > 0;
  }

  ready(): Ready {
    invariant(this.outstanding === null, () => 'ready() called again before advance() of the previous Ready');
    const r = this.raft;
    const soft = r.softState();
    const hard = r.hardState();
    const hardChanged = !sameHardState(hard, this.prevHardState);
    invariant(hard.term >= this.prevHardState.term && hard.commit >= this.prevHardState.commit, () =>
      `hard state going backwards: ${JSON.stringify(this.prevHardState)} -> ${JSON.stringify(hard)}`);
    const entries = [...r.log.unstable.entries];
    const snapshot = r.log.unstable.snapshot;
    const rd: Ready = {
      softState: sameSoftState(soft, this.prevSoftState) ? null : soft,
      hardState: hardChanged ? hard : null,
      entries,
      snapshot,
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== null ||
        (hardChanged && (hard.term !== this.prevHardState.term || hard.vote !== this.prevHardState.vote)),
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoftState = soft;
    this.outstanding = rd;
    return rd;
  }

  /** Reports that everything in `rd` has been persisted, sent and applied. */
  advance(rd: Ready): void {
    invariant(rd === this.outstanding, () => 'advance() called with a Ready that is not the outstanding one');
    this.outstanding = null;
    const log = this.raft.log;
    if (rd.hardState !== null) this.prevHardState = rd.hardState;
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) log.unstable.stableTo(last.index, last.term);
    if (rd.snapshot !== null) {
      log.unstable.stableSnapTo(rd.snapshot.meta.index);
      if (rd.snapshot.meta.index > log.applied) log.appliedTo(rd.snapshot.meta.index);
    }
    const applied = rd.committedEntries[rd.committedEntries.length - 1];
    if (applied !== undefined) log.appliedTo(applied.index);
  }
}
