// Membership changes, one member at a time (thesis §4.1): any two consecutive configurations share
// a majority, so no joint consensus is needed. A change takes effect when the driver applies it.
import { decodeConfChange, encodeConfChange } from './confchange-codec.js';
import { ConfChangeRejectedError } from './errors.js';
import { assertAcceptsProposals, proposeEntry } from './leader.js';
import type { Raft } from './raft.js';
import { bcastAppend, sendAppend } from './replication.js';
import type { ConfChange, ConfState, Index } from './types.js';

export function proposeConfChange(r: Raft, cc: ConfChange): Index {
  assertAcceptsProposals(r);
  const refusal = refusalOf(r, cc);
  if (refusal !== null) throw new ConfChangeRejectedError(refusal);
  const index = proposeEntry(r, 'conf-change', encodeConfChange(cc));
  r.pendingConfIndex = index;
  if (cc.type === 'remove' && cc.nodeId === r.id) r.removingSelf = true;
  return index;
}

/** Whether the unapplied part of the log removes this node (checked by a new leader). */
export function logRemovesSelf(r: Raft): boolean {
  if (r.log.applied >= r.log.lastIndex()) return false;
  return r.log.slice(r.log.applied + 1, r.log.lastIndex() + 1, Number.MAX_SAFE_INTEGER).some((e) => {
    if (e.type !== 'conf-change') return false;
    const cc = decodeConfChange(e.data);
    return cc.type === 'remove' && cc.nodeId === r.id;
  });
}

/** Why `cc` cannot be proposed now, checked against the (fully applied) current configuration. */
function refusalOf(r: Raft, cc: ConfChange): string | null {
  if (r.pendingConfIndex > r.log.applied) {
    return `another configuration change (index ${r.pendingConfIndex}) is not applied yet (applied ${r.log.applied})`;
  }
  const { voters, learners } = r.tracker;
  switch (cc.type) {
    case 'add-voter':
      return voters.has(cc.nodeId) ? `${cc.nodeId} is already a voter` : null;
    case 'add-learner':
      if (voters.has(cc.nodeId)) return `${cc.nodeId} is a voter; remove it before adding it as a learner`;
      return learners.has(cc.nodeId) ? `${cc.nodeId} is already a learner` : null;
    case 'remove':
      if (!voters.has(cc.nodeId) && !learners.has(cc.nodeId)) return `${cc.nodeId} is not a member`;
      return voters.has(cc.nodeId) && voters.size === 1 ? `${cc.nodeId} is the last voter` : null;
  }
}

/**
 * Applies a committed change to this node's configuration. Changes that are no-ops against the
 * current configuration (possible only after a refused check was bypassed) are applied as no-ops,
 * identically on every node.
 */
export function applyConfChange(r: Raft, cc: ConfChange): ConfState {
  const { tracker } = r;
  // etcd starts new members at the last index: the first probe is then a cheap empty append.
  const next = Math.max(r.log.lastIndex(), 1);
  const known = tracker.progress.has(cc.nodeId);
  if (cc.type === 'add-voter') tracker.addVoter(cc.nodeId, next);
  else if (cc.type === 'add-learner' && !tracker.voters.has(cc.nodeId)) tracker.addLearner(cc.nodeId, next);
  else if (cc.type === 'remove') tracker.remove(cc.nodeId);
  const added = tracker.progress.get(cc.nodeId);
  // A new member has not had a chance to answer yet; do not count it against the quorum check.
  if (!known && added !== undefined) added.recentActive = true;
  r.isLearner = tracker.learners.has(r.id);
  r.logger.info(`${r.id} applied conf change ${cc.type} ${cc.nodeId}`);
  onConfigChanged(r);
  return tracker.confState();
}

function onConfigChanged(r: Raft): void {
  if (r.role !== 'leader') return;
  if (!r.tracker.voters.has(r.id)) {
    // The removal (or demotion) of the leader itself is committed: let the others elect a leader.
    r.logger.info(`${r.id} stepped down: it is no longer a voter`);
    r.becomeFollower(r.term, null);
    return;
  }
  // A smaller quorum may commit more now; new members should not wait for the next heartbeat.
  if (r.maybeCommit()) bcastAppend(r);
  else for (const id of r.tracker.memberIds()) if (id !== r.id) sendAppend(r, id, false);
  if (r.leadTransferee !== null && !r.tracker.voters.has(r.leadTransferee)) r.leadTransferee = null;
}
