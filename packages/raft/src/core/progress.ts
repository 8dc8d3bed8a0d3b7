// The leader's view of one follower (like etcd's tracker/progress.go).
//
// probe:     next is a guess; at most one append in flight until the follower answers.
// replicate: next is optimistic (pipelining), bounded by the inflights window.
// snapshot:  a snapshot is on its way; no appends until the follower acknowledges or it is retried.
import { invariant } from './errors.js';
import { Inflights } from './inflights.js';
import type { Index } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** Highest index known to match the leader's log. Never decreases. */
  match: Index = 0;
  /** Next index to send. Invariant: match < next. */
  next: Index;
  state: ProgressState = 'probe';
  /** In snapshot state: the index of the snapshot being sent. 0 otherwise. */
  pendingSnapshot: Index = 0;
  /** Leader ticks spent in snapshot state, to retry a snapshot that was lost. */
  snapshotTicks = 0;
  /** Highest commit index sent to the follower (it may not have arrived). */
  sentCommit: Index = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** In probe state: an append is in flight. In replicate state: the inflights window is full. */
  paused = false;
  readonly inflights: Inflights;

  constructor(next: Index, public isLearner: boolean, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  becomeProbe(): void {
    // After a snapshot the follower has at least the snapshot, so probing can start past it.
    const from = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.resetState('probe');
    this.next = from;
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: Index): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /**
   * Whether sending `commit` may move the follower's commit index: it can reach at most next-1, so
   * once a commit index that high went out, repeating it is pointless.
   */
  canBumpCommit(commit: Index): boolean {
    return commit > this.sentCommit && this.sentCommit < this.next - 1;
  }

  /** Records an append of `count` entries ending before `next` after the send; pauses as flow control demands. */
  sentEntries(count: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        const last = this.next + count - 1;
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
      this.paused = this.inflights.full();
    } else if (this.state === 'probe') {
      if (count > 0) this.paused = true;
    } else {
      invariant(false, () => 'sending entries to a follower in snapshot state');
    }
  }

  /** The follower acknowledged up to `index`; false if that is old news. */
  maybeUpdate(index: Index): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.paused = false;
    return true;
  }

  /**
   * The follower rejected an append at prevIndex `rejected`; `matchHint` is the highest index that
   * may match. False if the rejection is stale (from an append we are no longer waiting on).
   */
  maybeDecrTo(rejected: Index, matchHint: Index): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.paused = false;
    return true;
  }

  isPaused(): boolean {
    return this.state === 'snapshot' || this.paused;
  }

  private resetState(state: ProgressState): void {
    this.paused = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.state = state;
    this.inflights.reset();
  }
}
