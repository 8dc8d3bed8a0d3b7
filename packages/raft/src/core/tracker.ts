// The membership configuration and, on the leader, the progress of every member.
import { Progress } from './progress.js';
import { compareNodeIds, majority, majorityIndex, voteResult, type VoteResult } from './quorum.js';
import type { ConfState, Index, NodeId } from './types.js';

export class ProgressTracker {
  readonly voters = new Set<NodeId>();
  readonly learners = new Set<NodeId>();
  /** One entry per member (voter or learner). Match/next are meaningful only on the leader. */
  readonly progress = new Map<NodeId, Progress>();
  /** Votes received in the current (pre-)election. */
  readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly maxInflightMsgs: number, private readonly maxInflightBytes: number) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort(compareNodeIds), learners: [...this.learners].sort(compareNodeIds) };
  }

  /** Members in a stable order, so that message order never depends on history. */
  memberIds(): NodeId[] {
    return [...this.progress.keys()].sort(compareNodeIds);
  }

  voterIds(): NodeId[] {
    return [...this.voters].sort(compareNodeIds);
  }

  addVoter(id: NodeId, next: Index): void {
    this.learners.delete(id);
    this.voters.add(id);
    const pr = this.progress.get(id);
    if (pr !== undefined) pr.isLearner = false;
    else this.progress.set(id, this.newProgress(next, false));
  }

  addLearner(id: NodeId, next: Index): void {
    this.voters.delete(id);
    this.learners.add(id);
    const pr = this.progress.get(id);
    if (pr !== undefined) pr.isLearner = true;
    else this.progress.set(id, this.newProgress(next, true));
  }

  remove(id: NodeId): void {
    this.voters.delete(id);
    this.learners.delete(id);
    this.progress.delete(id);
  }

  /** Fresh progress for every member, as a new term starts. */
  resetProgress(next: Index): void {
    for (const [id, pr] of this.progress) this.progress.set(id, this.newProgress(next, pr.isLearner));
  }

  /** The highest index replicated on a majority of voters. */
  committedIndex(): Index {
    return majorityIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  /** Whether a majority of voters has been heard from recently (`self` always counts). */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) if (id === self || this.progress.get(id)?.recentActive === true) active++;
    return active >= majority(this.voters.size);
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const [id, v] of this.votes) {
      if (!this.voters.has(id)) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: voteResult(this.voters, this.votes) };
  }

  private newProgress(next: Index, isLearner: boolean): Progress {
    return new Progress(Math.max(next, 1), isLearner, this.maxInflightMsgs, this.maxInflightBytes);
  }
}
