// State Machine Safety: no two nodes apply different entries at the same index, and every node's
// applied prefix is the same. Each node's applied prefix is summarised by a rolling digest over the
// entries it applied, which also travels inside snapshots, so a node restored from a snapshot is
// compared too.

import type { Index, NodeId } from '../../../src/core/types.js';
import { InvariantViolation } from './violation.js';

export class StateMachineSafety {
  /** index -> the entry digest and prefix digest the first node to apply it saw. */
  private readonly applied = new Map<Index, { entry: string; prefix: string; node: NodeId }>();
  private readonly lastApplied = new Map<NodeId, Index>();

  /** A node's state machine was reset (restart from durable state or snapshot) to `index` with prefix digest `prefix`. */
  observeRestore(node: NodeId, index: Index, prefix: string): void {
    this.lastApplied.set(node, index);
    if (index === 0) return;
    const first = this.applied.get(index);
    if (first !== undefined && first.prefix !== prefix)
      throw new InvariantViolation('state-machine-safety', `${node} restored state at ${index} that differs from what ${first.node} applied`);
  }

  /** A node applied one entry; `prefix` is its rolling digest after applying it. */
  observeApply(node: NodeId, index: Index, entry: string, prefix: string): void {
    const last = this.lastApplied.get(node) ?? 0;
    if (index !== last + 1)
      throw new InvariantViolation('state-machine-safety', `${node} applied index ${index} right after ${last}`);
    this.lastApplied.set(node, index);
    const first = this.applied.get(index);
    if (first === undefined) {
      this.applied.set(index, { entry, prefix, node });
      return;
    }
    if (first.entry !== entry)
      throw new InvariantViolation('state-machine-safety', `at index ${index} ${first.node} applied ${first.entry} but ${node} applied ${entry}`);
    if (first.prefix !== prefix)
      throw new InvariantViolation('state-machine-safety', `applied prefixes up to ${index} differ between ${first.node} and ${node}`);
  }
}
