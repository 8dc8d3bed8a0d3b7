// The tail of the log that is not yet persisted: entries (and possibly an incoming snapshot) that
// the next Ready hands to the driver, removed from here once advance() reports them durable.
import { invariant } from './errors.js';
import type { Entry, Index, Snapshot, Term } from './types.js';

export class Unstable {
  /** An incoming snapshot not yet persisted; if set, offset === snapshot index + 1. */
  snapshot: Snapshot | null = null;
  /** entries[i] has index offset + i. */
  entries: Entry[] = [];
  offset: Index;

  constructor(offset: Index) {
    this.offset = offset;
  }

  maybeFirstIndex(): Index | null {
    return this.snapshot === null ? null : this.snapshot.meta.index + 1;
  }

  maybeLastIndex(): Index | null {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === null ? null : this.snapshot.meta.index;
  }

  maybeTerm(index: Index): Term | null {
    if (index < this.offset) {
      return this.snapshot !== null && this.snapshot.meta.index === index ? this.snapshot.meta.term : null;
    }
    return this.entries[index - this.offset]?.term ?? null;
  }

  /** The driver persisted entries up to (index, term); drop them unless they were replaced meanwhile. */
  stableTo(index: Index, term: Term): void {
    if (index < this.offset || this.maybeTerm(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: Index): void {
    if (this.snapshot !== null && this.snapshot.meta.index === index) this.snapshot = null;
  }

  restore(snap: Snapshot): void {
    this.offset = snap.meta.index + 1;
    this.entries = [];
    this.snapshot = snap;
  }

  /** Appends entries, dropping any unstable suffix they replace. */
  truncateAndAppend(ents: readonly Entry[]): void {
    const from = ents[0]?.index;
    if (from === undefined) return;
    if (from === this.offset + this.entries.length) {
      for (const e of ents) this.entries.push(e);
    } else if (from <= this.offset) {
      // Replaces everything unstable; the storage's conflicting suffix is overwritten on persist.
      this.offset = from;
      this.entries = [...ents];
    } else {
      this.entries = [...this.entries.slice(0, from - this.offset), ...ents];
    }
  }

  slice(lo: Index, hi: Index): Entry[] {
    invariant(lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi, () =>
      `unstable slice [${lo}, ${hi}) out of bounds [${this.offset}, ${this.offset + this.entries.length})`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
