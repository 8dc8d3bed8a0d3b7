// Election Safety: at most one leader can be elected in a given term.

import type { NodeId, Term } from '../../../src/core/types.js';
import { InvariantViolation } from './violation.js';

export class ElectionSafety {
  private readonly leaders = new Map<Term, NodeId>();

  /** Called whenever a node is seen as leader in `term`. */
  observeLeader(node: NodeId, term: Term): void {
    const existing = this.leaders.get(term);
    if (existing === undefined) this.leaders.set(term, node);
    else if (existing !== node) throw new InvariantViolation('election-safety', `term ${term} has two leaders: ${existing} and ${node}`);
  }
}
