// Commit index never decreases on a live node, and no node applies past its commit index. A crash
// starts a new incarnation whose commit restarts from what was durable.

import type { Index, NodeId } from '../../../src/core/types.js';
import { InvariantViolation } from './violation.js';

export class CommitMonotonic {
  private readonly commits = new Map<string, Index>();

  observeCommit(node: NodeId, incarnation: number, commit: Index): void {
    const key = `${node}#${incarnation}`;
    const before = this.commits.get(key) ?? 0;
    if (commit < before) throw new InvariantViolation('commit-monotonic', `${key} commit went from ${before} back to ${commit}`);
    this.commits.set(key, commit);
  }

  observeApplied(node: NodeId, incarnation: number, applied: Index): void {
    const commit = this.commits.get(`${node}#${incarnation}`) ?? 0;
    if (applied > commit) throw new InvariantViolation('commit-monotonic', `${node}#${incarnation} applied ${applied} beyond its commit ${commit}`);
  }
}
