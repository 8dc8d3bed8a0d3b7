// The stable part of the log as the core sees it, and an in-memory implementation of it.
import { entrySizeBytes, limitSize } from './entry-size.js';
import { CompactedError, SnapshotOutOfDateError, UnavailableError, invariant } from './errors.js';
import type { ConfState, Entry, HardState, Index, Snapshot, Term } from './types.js';

export interface InitialState {
  readonly hardState: HardState;
  /** The membership as of the last applied entry the storage knows (at least its snapshot's). */
  readonly confState: ConfState;
}

/**
 * Read access to persisted log state. The core never writes to it: the driver persists what a
 * Ready hands out and then calls advance(). Indexes at or below the snapshot index are compacted,
 * except that term(snapshot index) still answers (the log's "dummy" entry).
 */
export interface LogStorage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at most maxBytes in total but at least one entry if any are in range. */
  entries(lo: Index, hi: Index, maxBytes: number): Entry[];
  /** Throws CompactedError below the snapshot index, UnavailableError past the last index. */
  term(index: Index): Term;
  firstIndex(): Index;
  lastIndex(): Index;
  snapshot(): Snapshot;
}

export const EMPTY_CONF_STATE: ConfState = { voters: [], learners: [] };
export const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };

export function emptySnapshot(): Snapshot {
  return { meta: { index: 0, term: 0, confState: EMPTY_CONF_STATE }, data: new Uint8Array(0) };
}

interface LogPosition {
  readonly index: Index;
  readonly term: Term;
}

/** Like etcd's MemoryStorage: the driver mirrors into it everything it makes durable. */
export class MemoryStorage implements LogStorage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = emptySnapshot();
  /** ents[0] is the position of the snapshot (the dummy entry); ents[i] is at index ents[0].index + i. */
  private ents: Array<LogPosition | Entry> = [{ index: 0, term: 0 }];

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.meta.confState };
  }

  setHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  entries(lo: Index, hi: Index, maxBytes: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, this.firstIndex());
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    if (lo >= hi) return [];
    return limitSize(this.ents.slice(lo - offset, hi - offset) as Entry[], maxBytes);
  }

  term(index: Index): Term {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, this.firstIndex());
    const pos = this.ents[index - offset];
    if (pos === undefined) throw new UnavailableError(index, this.lastIndex());
    return pos.term;
  }

  firstIndex(): Index {
    return this.offset() + 1;
  }

  lastIndex(): Index {
    return this.offset() + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole log with the snapshot (a follower installing the leader's snapshot). */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index <= this.snap.meta.index) throw new SnapshotOutOfDateError(snap.meta.index, this.snap.meta.index);
    this.snap = snap;
    this.ents = [{ index: snap.meta.index, term: snap.meta.term }];
  }

  /** Records a snapshot of the applied state at `index`; compact() separately to drop the entries. */
  createSnapshot(index: Index, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) throw new SnapshotOutOfDateError(index, this.snap.meta.index);
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    this.snap = { meta: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** Discards entries up to and including `index`, which must not exceed the last index. */
  compact(index: Index): void {
    const offset = this.offset();
    if (index <= offset) throw new CompactedError(index, this.firstIndex());
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    const at = this.ents[index - offset]!;
    this.ents.splice(0, index - offset + 1, { index: at.index, term: at.term });
  }

  /** Appends entries, replacing any existing suffix from the first new index on. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const last = first.index + entries.length - 1;
    if (last < this.firstIndex()) return;
    const fresh = first.index < this.firstIndex() ? entries.slice(this.firstIndex() - first.index) : entries;
    const at = fresh[0]!.index - this.offset();
    invariant(at <= this.ents.length, () => `append at ${fresh[0]!.index} leaves a gap after last index ${this.lastIndex()}`);
    this.ents.length = at;
    for (const e of fresh) this.ents.push(e);
  }

  /** Total size of the stored entries, for tests and compaction policies. */
  sizeBytes(): number {
    let total = 0;
    for (let i = 1; i < this.ents.length; i++) total += entrySizeBytes(this.ents[i] as Entry);
    return total;
  }

  private offset(): Index {
    return this.ents[0]!.index;
  }
}
