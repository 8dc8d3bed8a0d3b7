// ReadIndex (thesis §6.4, etcd's ReadOnlySafe): a read is linearizable once the local state machine
// has applied the leader's commit index as of a moment the leader proved it was still the leader.
import { NotLeaderError } from './errors.js';
import type { Raft } from './raft.js';
import type { ReadRequest } from './read-only.js';
import { bcastHeartbeat } from './replication.js';
import { voteResult } from './quorum.js';
import type { HeartbeatResponse, Index } from './types.js';

/** A local read request: served by the leader, forwarded by a follower. */
export function requestRead(r: Raft, context: string): void {
  if (r.role === 'leader') {
    leaderReadIndex(r, { context, from: r.id });
    return;
  }
  if (r.lead === null) throw new NotLeaderError(null);
  r.send({ type: 'read-index', to: r.lead, term: r.term, context });
}

export function leaderReadIndex(r: Raft, req: ReadRequest): void {
  if (r.tracker.voters.size === 1 && r.tracker.voters.has(r.id)) {
    respondToRead(r, req, r.log.committed);
    return;
  }
  // Until an entry of our term commits, our commit index may trail the previous leader's.
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReads.push(req);
    return;
  }
  r.readOnly.add(r.log.committed, req);
  r.readOnly.recvAck(r.id, req.context);
  bcastHeartbeat(r, req.context);
}

/** Called when the leader commits: reads deferred for the first commit of the term can go ahead. */
export function releasePendingReads(r: Raft): void {
  if (r.pendingReads.length === 0 || !r.committedEntryInCurrentTerm()) return;
  const reads = r.pendingReads;
  r.pendingReads = [];
  for (const req of reads) leaderReadIndex(r, req);
}

export function onReadAck(r: Raft, m: HeartbeatResponse): void {
  if (m.context === null) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (acks === null) return;
  const votes = new Map([...acks].map((id) => [id, true] as const));
  if (voteResult(r.tracker.voters, votes) !== 'won') return;
  for (const read of r.readOnly.advance(m.context)) respondToRead(r, read.request, read.index);
}

function respondToRead(r: Raft, req: ReadRequest, index: Index): void {
  if (req.from === r.id) r.readStates.push({ context: req.context, index });
  else r.send({ type: 'read-index-response', to: req.from, term: r.term, context: req.context, index });
}
