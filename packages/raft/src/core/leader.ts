// Leader side: handling followers' answers, quorum checks, proposals and leadership transfer.
import { LeadershipTransferError, NotLeaderError, ProposalDroppedError, invariant } from './errors.js';
import type { Progress } from './progress.js';
import type { Raft } from './raft.js';
import { leaderReadIndex, onReadAck, releasePendingReads } from './read-index.js';
import { bcastAppend, sendAppend, sendTimeoutNow } from './replication.js';
import type { AppendResponse, EntryType, HeartbeatResponse, Index, Message, NodeId } from './types.js';

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'read-index':
      leaderReadIndex(r, { context: m.context, from: m.from });
      return;
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      invariant(false, () => `${r.id} is leader at term ${r.term} but ${m.from} sent a ${m.type} for the same term`);
      return;
    case 'append-response':
    case 'heartbeat-response': {
      const pr = r.tracker.progress.get(m.from);
      if (pr === undefined) return; // no longer a member
      pr.recentActive = true;
      if (m.type === 'append-response') handleAppendResponse(r, m, pr);
      else handleHeartbeatResponse(r, m, pr);
      return;
    }
    default:
      return; // votes answered in Raft.step, late vote responses, timeout-now for someone else
  }
}

function handleAppendResponse(r: Raft, m: AppendResponse, pr: Progress): void {
  if (m.reject) {
    // Fast back-off: with a hint term, skip to the last index where our log has a term <= it.
    const probe = m.rejectHintTerm > 0 ? r.log.findConflictByTerm(m.rejectHintIndex, m.rejectHintTerm)[0] : m.rejectHintIndex;
    if (pr.maybeDecrTo(m.index, probe)) {
      r.logger.info(`${r.id} decreased progress of ${m.from} to next ${pr.next} after rejection at ${m.index}`);
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  // A probing follower that is already caught up (match unchanged) can go back to replicating too.
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    // Whatever snapshot the follower installed, it can now be caught up from the log.
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) {
    releasePendingReads(r);
    bcastAppend(r);
  } else if (pr.canBumpCommit(r.log.committed)) {
    // The follower may not know the commit index yet; tell it now rather than at the next heartbeat.
    sendAppend(r, m.from);
  }
  // The window may have room for several messages now (e.g. after leaving probe state).
  while (sendAppend(r, m.from, false));
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
    r.logger.info(`${r.id} sent timeout-now to ${m.from}: it caught up for the leadership transfer`);
    sendTimeoutNow(r, m.from);
  }
}

function handleHeartbeatResponse(r: Raft, m: HeartbeatResponse, pr: Progress): void {
  // An answer means the follower is reachable: retry whatever may have been lost on the way.
  pr.paused = false;
  if (pr.match < r.log.lastIndex() || pr.state === 'probe') sendAppend(r, m.from);
  onReadAck(r, m);
}

/** Once per election timeout: step down unless a quorum was heard from since the last check. */
export function checkQuorum(r: Raft): void {
  if (!r.tracker.quorumActive(r.id)) {
    r.logger.warn(`${r.id} stepped down to follower since quorum is not active`);
    r.becomeFollower(r.term, null);
    return;
  }
  for (const [id, pr] of r.tracker.progress) if (id !== r.id) pr.recentActive = false;
}

/** A snapshot still unacknowledged after snapshotRetryTicks was probably lost: send it again. */
export function retryLostSnapshots(r: Raft): void {
  for (const id of r.tracker.memberIds()) {
    const pr = r.tracker.progress.get(id)!;
    if (pr.state !== 'snapshot' || ++pr.snapshotTicks < r.cfg.snapshotRetryTicks) continue;
    r.logger.info(`${r.id} retrying snapshot to ${id}: not acknowledged within ${r.cfg.snapshotRetryTicks} ticks`);
    pr.pendingSnapshot = 0; // probe from what is known to match, not from the unacknowledged snapshot
    pr.becomeProbe();
    sendAppend(r, id);
  }
}

/** Appends a proposal as leader; throws when this node cannot take proposals now. */
export function proposeEntry(r: Raft, type: EntryType, data: Uint8Array): Index {
  assertAcceptsProposals(r);
  const index = r.appendEntries([{ type, data }]);
  bcastAppend(r);
  return index;
}

export function assertAcceptsProposals(r: Raft): void {
  if (r.role !== 'leader') throw new NotLeaderError(r.lead);
  if (!r.tracker.progress.has(r.id)) throw new ProposalDroppedError('this node was removed from the configuration');
  if (r.removingSelf) throw new ProposalDroppedError('this leader is removing itself from the configuration');
  if (r.leadTransferee !== null) throw new ProposalDroppedError(`leadership transfer to ${r.leadTransferee} in progress`);
}

export function transferLeadership(r: Raft, to: NodeId): void {
  if (r.role !== 'leader') throw new NotLeaderError(r.lead);
  const pr = r.tracker.progress.get(to);
  if (pr === undefined || pr.isLearner) throw new LeadershipTransferError(to, 'not a voter');
  if (r.leadTransferee === to || to === r.id) return;
  r.logger.info(`${r.id} [term ${r.term}] starts to transfer leadership to ${to}`);
  // The transfer must finish within an election timeout, counted from now.
  r.electionElapsed = 0;
  r.leadTransferee = to;
  if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, to);
  else sendAppend(r, to);
}

export function reportSnapshot(r: Raft, id: NodeId, ok: boolean): void {
  const pr = r.tracker.progress.get(id);
  if (r.role !== 'leader' || pr === undefined || pr.state !== 'snapshot') return;
  if (!ok) pr.pendingSnapshot = 0; // otherwise we would probe past a snapshot that never arrived
  pr.becomeProbe();
  // Wait for the follower's answer (or a heartbeat response) before the next append.
  pr.paused = true;
}

export function reportUnreachable(r: Raft, id: NodeId): void {
  const pr = r.tracker.progress.get(id);
  // Pipelined appends to an unreachable follower were probably lost: fall back to probing.
  if (r.role === 'leader' && pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
}
