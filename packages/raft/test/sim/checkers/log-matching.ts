// Log Matching: if two logs hold an entry with the same index and term, the logs are identical in
// all entries up to that index. Checked by induction, incrementally: every (index, term) ever
// written to any log must always carry the same payload and follow an entry of the same term. Two
// logs agreeing at (i, t) then agree at i-1 by this rule, and so on down to the start.

import type { Index, NodeId, Term } from '../../../src/core/types.js';
import { InvariantViolation } from './violation.js';

export interface WrittenEntry {
  readonly index: Index;
  readonly term: Term;
  /** entryDigest() of the entry. */
  readonly digest: string;
  /** Term of the entry at index-1 in the same log (0 at index 1). */
  readonly prevTerm: Term;
}

export class LogMatching {
  private readonly seen = new Map<string, { digest: string; prevTerm: Term; node: NodeId }>();

  /** Called with every entry a node writes to its log. */
  observeWrite(node: NodeId, entry: WrittenEntry): void {
    const key = `${entry.index}/${entry.term}`;
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, { digest: entry.digest, prevTerm: entry.prevTerm, node });
      return;
    }
    if (first.digest !== entry.digest)
      throw new InvariantViolation('log-matching', `entry ${key} differs: ${first.node} has ${first.digest}, ${node} has ${entry.digest}`);
    if (first.prevTerm !== entry.prevTerm)
      throw new InvariantViolation(
        'log-matching',
        `entry ${key} follows term ${first.prevTerm} on ${first.node} but term ${entry.prevTerm} on ${node}`,
      );
  }
}
