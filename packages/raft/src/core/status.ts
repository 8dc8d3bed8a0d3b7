// A read-only picture of a node, for operators, tests and the driver's health checks.
import type { ProgressState } from './progress.js';
import type { Raft } from './raft.js';
import type { ConfState, Index, NodeId, Role, Term } from './types.js';

export interface ProgressStatus {
  readonly match: Index;
  readonly next: Index;
  readonly state: ProgressState;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
  readonly paused: boolean;
  readonly pendingSnapshot: Index;
  readonly inflightMsgs: number;
  readonly inflightBytes: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: Term;
  readonly vote: NodeId | null;
  readonly role: Role;
  readonly leader: NodeId | null;
  readonly commit: Index;
  readonly applied: Index;
  readonly lastIndex: Index;
  readonly leadTransferee: NodeId | null;
  readonly config: ConfState;
  /** Per member, on the leader only (empty elsewhere). */
  readonly progress: Readonly<Record<NodeId, ProgressStatus>>;
}

export function statusOf(r: Raft): RaftStatus {
  const progress: Record<NodeId, ProgressStatus> = {};
  if (r.role === 'leader') {
    for (const id of r.tracker.memberIds()) {
      const pr = r.tracker.progress.get(id)!;
      progress[id] = {
        match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner, recentActive: pr.recentActive,
        paused: pr.isPaused(), pendingSnapshot: pr.pendingSnapshot,
        inflightMsgs: pr.inflights.count(), inflightBytes: pr.inflights.bytes(),
      };
    }
  }
  return {
    id: r.id, term: r.term, vote: r.vote, role: r.role, leader: r.lead, commit: r.log.committed,
    applied: r.log.applied, lastIndex: r.log.lastIndex(), leadTransferee: r.leadTransferee,
    config: r.tracker.confState(), progress,
  };
}
