// The Raft log as the protocol sees it: persisted entries (storage) followed by unstable ones, plus
// the commit and apply cursors. Invariant: applied <= committed <= lastIndex.
import { limitSize } from './entry-size.js';
import { CompactedError, UnavailableError, invariant } from './errors.js';
import type { LogStorage } from './storage.js';
import type { Entry, Index, Snapshot, Term } from './types.js';
import { Unstable } from './unstable.js';

export class RaftLog {
  readonly unstable: Unstable;
  /** Highest index known committed on a quorum. Never decreases. */
  committed: Index;
  /** Highest index the driver has applied (reported through advance()). Never exceeds committed. */
  applied: Index;

  constructor(readonly storage: LogStorage, private readonly maxApplyBytes: number) {
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = storage.firstIndex() - 1;
    this.applied = storage.firstIndex() - 1;
  }

  firstIndex(): Index {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): Index {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): Term {
    const t = this.term(this.lastIndex());
    invariant(t !== null, () => `term of last index ${this.lastIndex()} is unknown`);
    return t;
  }

  /** The term at `index`, or null when it is compacted or beyond the last index. */
  term(index: Index): Term | null {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return null;
    const t = this.unstable.maybeTerm(index);
    if (t !== null) return t;
    try {
      return this.storage.term(index);
    } catch (err) {
      if (err instanceof CompactedError || err instanceof UnavailableError) return null;
      throw err;
    }
  }

  matchTerm(index: Index, term: Term): boolean {
    return this.term(index) === term;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as ours (Raft §5.4.1). */
  isUpToDate(lastIndex: Index, lastTerm: Term): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Index of the first entry whose term differs from ours (or that we lack), 0 if none. */
  findConflict(entries: readonly Entry[]): Index {
    for (const e of entries) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * The highest (index, term) at or below `index` whose term is <= `term`: the best guess at where
   * our log and a log with `term` at `index` can match. Term 0 means unknown (compacted).
   */
  findConflictByTerm(index: Index, term: Term): [Index, Term] {
    for (let i = index; i > 0; i--) {
      const ours = this.term(i);
      if (ours === null) return [i, 0];
      if (ours <= term) return [i, ours];
    }
    return [0, 0];
  }

  /** Appends the leader's entries after (prevIndex, prevTerm) if it matches; returns the last new index. */
  maybeAppend(prevIndex: Index, prevTerm: Term, leaderCommit: Index, entries: readonly Entry[]): Index | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      invariant(conflict > this.committed, () => `entry ${conflict} conflicts with committed entry (committed ${this.committed})`);
      this.append(entries.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  append(entries: readonly Entry[]): Index {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    invariant(first.index - 1 >= this.committed, () => `append at ${first.index} is below commit ${this.committed}`);
    invariant(first.index <= this.lastIndex() + 1, () => `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  commitTo(index: Index): void {
    if (index <= this.committed) return;
    invariant(index <= this.lastIndex(), () => `commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Commits `index` if it carries `term`: a leader only counts replicas of its own term's entries. */
  maybeCommit(index: Index, term: Term): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: Index): void {
    invariant(index >= this.applied && index <= this.committed, () =>
      `applied ${index} outside [applied ${this.applied}, committed ${this.committed}]`);
    this.applied = index;
  }

  restore(snap: Snapshot): void {
    invariant(snap.meta.index > this.committed, () => `restoring snapshot ${snap.meta.index} at or below commit ${this.committed}`);
    this.committed = snap.meta.index;
    this.unstable.restore(snap);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  hasNextCommittedEntries(): boolean {
    return this.unstable.snapshot === null && this.committed > this.applied;
  }

  /** Committed, unapplied entries (bounded in size); none while a snapshot waits to be applied. */
  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    return this.slice(this.applied + 1, this.committed + 1, this.maxApplyBytes);
  }

  /** Entries from `index` to the end, bounded in size; throws CompactedError below firstIndex. */
  entriesFrom(index: Index, maxBytes: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  slice(lo: Index, hi: Index, maxBytes: number): Entry[] {
    if (lo < this.firstIndex()) throw new CompactedError(lo, this.firstIndex());
    invariant(lo <= hi && hi <= this.lastIndex() + 1, () => `slice [${lo}, ${hi}) out of bounds, last index ${this.lastIndex()}`);
    if (lo === hi) return [];
    const offset = this.unstable.offset;
    let stored: Entry[] = [];
    if (lo < offset) {
      const storedHi = Math.min(hi, offset);
      stored = this.storage.entries(lo, storedHi, maxBytes);
      if (stored.length < storedHi - lo) return stored;
    }
    if (hi <= offset) return stored;
    const fresh = this.unstable.slice(Math.max(lo, offset), hi);
    return limitSize(stored.length === 0 ? fresh : [...stored, ...fresh], maxBytes);
  }

  allEntries(): Entry[] {
    return this.entriesFrom(this.firstIndex(), Number.MAX_SAFE_INTEGER);
  }
}
