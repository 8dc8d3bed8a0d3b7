// Elections: (pre-)campaigns, vote requests and the tally (Raft §5.2, pre-vote from thesis §9.6).
import type { Raft } from './raft.js';
import { bcastAppend } from './replication.js';
import type { Message, NodeId, VoteMessage } from './types.js';
import { handleAppend, handleHeartbeat, handleSnapshotChunk } from './follower.js';
import type { VoteResult } from './quorum.js';

/** pre-election asks first; election campaigns outright; transfer campaigns on a leader's TimeoutNow. */
export type CampaignType = 'pre-election' | 'election' | 'transfer';

export function hup(r: Raft, type: CampaignType): void {
  if (r.role === 'leader') return;
  if (!r.promotable()) {
    r.logger.warn(`${r.id} is not promotable and cannot campaign`);
    return;
  }
  if (hasUnappliedConfChanges(r)) {
    // The config we would count votes in may be about to change under us.
    r.logger.warn(`${r.id} cannot campaign at term ${r.term}: committed conf changes are not applied yet`);
    return;
  }
  campaign(r, type);
}

function hasUnappliedConfChanges(r: Raft): boolean {
  if (r.log.applied >= r.log.committed) return false;
  const pending = r.log.slice(r.log.applied + 1, r.log.committed + 1, Number.MAX_SAFE_INTEGER);
  return pending.some((e) => e.type === 'conf-change');
}

function campaign(r: Raft, type: CampaignType): void {
  const pre = type === 'pre-election';
  if (pre) r.becomePreCandidate();
  else r.becomeCandidate();
  const term = pre ? r.term + 1 : r.term;
  if (poll(r, r.id, pre, true) === 'won') {
    // A single-voter configuration wins on its own vote.
    if (pre) campaign(r, 'election');
    else r.becomeLeader();
    return;
  }
  const lastIndex = r.log.lastIndex();
  const lastTerm = r.log.lastTerm();
  r.logger.info(`${r.id} [logterm: ${lastTerm}, index: ${lastIndex}] sent ${pre ? 'pre-vote' : 'vote'} requests at term ${term}`);
  for (const to of r.tracker.voterIds()) {
    if (to === r.id) continue;
    r.send({ type: 'vote', to, term, pre, lastIndex, lastTerm, transfer: type === 'transfer' });
  }
}

function poll(r: Raft, from: NodeId, pre: boolean, granted: boolean): VoteResult {
  r.tracker.recordVote(from, granted);
  const tally = r.tracker.tallyVotes();
  if (from !== r.id) {
    r.logger.info(`${r.id} has received ${tally.granted} ${pre ? 'pre-vote' : 'vote'} grants and ${tally.rejected} rejections`);
  }
  return tally.result;
}

/** Any role: decide whether to grant a vote or pre-vote (the term checks already happened). */
export function handleVoteRequest(r: Raft, m: VoteMessage): void {
  const canVote =
    r.vote === m.from || // a repeat of the vote we cast
    (r.vote === null && r.lead === null) || // no vote and no leader yet in this term
    (m.pre && m.term > r.term); // a pre-vote for a future term
  const grant = canVote && r.log.isUpToDate(m.lastIndex, m.lastTerm);
  const what = m.pre ? 'pre-vote' : 'vote';
  r.logger.info(`${r.id} [logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote ?? '-'}] ` +
    `${grant ? 'cast' : 'rejected'} ${what} for ${m.from} [logterm: ${m.lastTerm}, index: ${m.lastIndex}] at term ${r.term}`);
  if (!grant) {
    r.send({ type: 'vote-response', to: m.from, term: r.term, pre: m.pre, reject: true });
    return;
  }
  // A granted pre-vote answers at the candidate's future term so that it is not dropped as stale.
  r.send({ type: 'vote-response', to: m.from, term: m.term, pre: m.pre, reject: false });
  if (!m.pre) {
    r.electionElapsed = 0;
    r.vote = m.from;
  }
}

export function stepCandidate(r: Raft, m: Message): void {
  switch (m.type) {
    case 'append':
      r.becomeFollower(m.term, m.from);
      handleAppend(r, m);
      return;
    case 'heartbeat':
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case 'snapshot':
      r.becomeFollower(m.term, m.from);
      handleSnapshotChunk(r, m);
      return;
    case 'vote-response': {
      if (m.pre !== (r.role === 'pre-candidate')) return;
      const result = poll(r, m.from, m.pre, !m.reject);
      if (result === 'won') {
        if (m.pre) {
          campaign(r, 'election');
        } else {
          r.becomeLeader();
          bcastAppend(r);
        }
      } else if (result === 'lost') {
        // A rejected pre-vote carries our future term at most; stay in our own term.
        r.becomeFollower(r.term, null);
      }
      return;
    }
    default:
      return; // read-index without a leader to ask, timeout-now for an old leader, stale responses
  }
}
