// Majority arithmetic over one set of voters (membership changes one voter at a time, so a single
// majority config suffices; no joint consensus).
import type { Index, NodeId } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The highest index acknowledged by a majority of voters. */
export function majorityIndex(voters: Iterable<NodeId>, acked: (id: NodeId) => Index): Index {
  const indexes = [...voters].map(acked).sort((a, b) => b - a);
  if (indexes.length === 0) return 0;
  return indexes[majority(indexes.length) - 1]!;
}

/** votes maps voter → granted; voters missing from it have not answered yet. */
export function voteResult(voters: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const need = majority(voters.size);
  if (granted >= need) return 'won';
  if (voters.size - rejected >= need) return 'pending';
  return 'lost';
}

/** A deterministic order for node ids that reads naturally for numeric ids ("2" before "10"). */
export function compareNodeIds(a: NodeId, b: NodeId): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
