// Leader Completeness: an entry committed in term T is in the log of every leader of a term above T.
// "Committed in term T" is taken from what leaders do: when a leader of term T moves its commit
// index over an entry, that entry is committed in T (the lowest such T counts).

import type { Index, NodeId, Term } from '../../../src/core/types.js';
import { InvariantViolation } from './violation.js';

/** What the checker needs from a node's log; entries at or below `snapshotIndex` are compacted. */
export interface LogView {
  readonly snapshotIndex: Index;
  readonly lastIndex: Index;
  /** Term at index, for snapshotIndex <= index <= lastIndex. */
  term(index: Index): Term;
}

interface Committed {
  readonly term: Term;
  commitTerm: Term;
}

export class LeaderCompleteness {
  private readonly committed = new Map<Index, Committed>();
  /** Per leader term, the commit index already recorded: each call only scans what is new. */
  private readonly scannedTo = new Map<Term, Index>();
  private readonly leaders = new Map<NodeId, { term: Term; log: LogView }>();

  /** A leader of `term` has commit index `commit`; `log` is its log at that moment. */
  observeLeaderCommit(term: Term, commit: Index, log: LogView): void {
    const from = Math.max(log.snapshotIndex + 1, (this.scannedTo.get(term) ?? 0) + 1);
    if (commit >= from) this.scannedTo.set(term, commit);
    for (let i = from; i <= commit; i++) {
      const c = this.committed.get(i);
      if (c === undefined) {
        this.committed.set(i, { term: log.term(i), commitTerm: term });
        this.checkCurrentLeaders(i);
      } else if (term < c.commitTerm) c.commitTerm = term;
    }
  }

  /** A node is leader of `term` with this log (called on election and whenever the leader's log changes). */
  observeLeader(node: NodeId, term: Term, log: LogView): void {
    const known = this.leaders.get(node);
    this.leaders.set(node, { term, log });
    if (known !== undefined && known.term === term) return;
    for (const [index, c] of this.committed) if (c.commitTerm < term) this.checkHas(node, term, log, index, c);
  }

  /** The node is no longer leader (stepped down, crashed or removed). */
  observeNotLeader(node: NodeId): void {
    this.leaders.delete(node);
  }

  private checkCurrentLeaders(index: Index): void {
    const c = this.committed.get(index) as Committed;
    for (const [node, { term, log }] of this.leaders) if (c.commitTerm < term) this.checkHas(node, term, log, index, c);
  }

  private checkHas(node: NodeId, term: Term, log: LogView, index: Index, c: Committed): void {
    if (index <= log.snapshotIndex) return;
    const has = index <= log.lastIndex ? log.term(index) : undefined;
    if (has !== c.term)
      throw new InvariantViolation(
        'leader-completeness',
        `leader ${node} of term ${term} lacks entry ${index} (term ${c.term}, committed in term ${c.commitTerm}); it has ${has === undefined ? 'nothing' : `term ${has}`} there`,
      );
  }
}
