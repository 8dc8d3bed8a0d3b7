// Errors the Raft core raises. Each has a stable `code` so callers branch on the code, not the text.
// A broken protocol invariant is a RaftInvariantError: it means a bug (or corrupt storage) and the
// process must stop instead of carrying on with a state that can lose committed data.
import type { NodeId } from './types.js';

export type RaftErrorCode =
  | 'RAFT_COMPACTED'
  | 'RAFT_UNAVAILABLE'
  | 'RAFT_SNAPSHOT_OUT_OF_DATE'
  | 'RAFT_NOT_LEADER'
  | 'RAFT_PROPOSAL_DROPPED'
  | 'RAFT_CONF_CHANGE_REJECTED'
  | 'RAFT_TRANSFER_REJECTED'
  | 'RAFT_INVALID_OPTIONS'
  | 'RAFT_INVALID_CONF_CHANGE'
  | 'RAFT_INVARIANT';

export abstract class RaftError extends Error {
  abstract readonly code: RaftErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The requested index lies at or below the storage's last compaction point. */
export class CompactedError extends RaftError {
  readonly code = 'RAFT_COMPACTED';
  constructor(readonly index: number, readonly firstIndex: number) {
    super(`index ${index} is compacted (first available index is ${firstIndex})`);
  }
}

/** The requested index lies beyond the last entry in storage. */
export class UnavailableError extends RaftError {
  readonly code = 'RAFT_UNAVAILABLE';
  constructor(readonly index: number, readonly lastIndex: number) {
    super(`index ${index} is unavailable (last index is ${lastIndex})`);
  }
}

/** A snapshot older than the one storage already holds. */
export class SnapshotOutOfDateError extends RaftError {
  readonly code = 'RAFT_SNAPSHOT_OUT_OF_DATE';
  constructor(readonly index: number, readonly currentIndex: number) {
    super(`snapshot at index ${index} is older than the current snapshot at index ${currentIndex}`);
  }
}

/** Only the leader accepts this request; `leader` is the leader this node knows of, if any. */
export class NotLeaderError extends RaftError {
  readonly code = 'RAFT_NOT_LEADER';
  constructor(readonly leader: NodeId | null) {
    super(leader === null ? 'not the leader, and no leader is known' : `not the leader; the leader is ${leader}`);
  }
}

/** The leader refused a proposal it cannot accept right now (e.g. during a leadership transfer). */
export class ProposalDroppedError extends RaftError {
  readonly code = 'RAFT_PROPOSAL_DROPPED';
  constructor(readonly reason: string) {
    super(`proposal dropped: ${reason}`);
  }
}

/** A membership change refused at proposal time (another one pending, not a member, last voter...). */
export class ConfChangeRejectedError extends RaftError {
  readonly code = 'RAFT_CONF_CHANGE_REJECTED';
  constructor(readonly reason: string) {
    super(`configuration change rejected: ${reason}`);
  }
}

/** A leadership transfer to a node that cannot take over (not a voter). */
export class LeadershipTransferError extends RaftError {
  readonly code = 'RAFT_TRANSFER_REJECTED';
  constructor(readonly target: NodeId, readonly reason: string) {
    super(`cannot transfer leadership to ${target}: ${reason}`);
  }
}

export class InvalidRaftOptionsError extends RaftError {
  readonly code = 'RAFT_INVALID_OPTIONS';
}

/** Entry data that does not decode to a ConfChange. */
export class InvalidConfChangeError extends RaftError {
  readonly code = 'RAFT_INVALID_CONF_CHANGE';
}

export class RaftInvariantError extends RaftError {
  readonly code = 'RAFT_INVARIANT';
}

/** Asserts a protocol invariant; a failure is a bug, never a condition to handle. */
export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new RaftInvariantError(message());
}
