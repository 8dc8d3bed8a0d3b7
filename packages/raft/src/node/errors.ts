// Errors a RaftNode's callers see. Each has a stable code; `retryable` tells a caller whether trying
// again (possibly on another member) can succeed.

abstract class RaftNodeError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}

/** The node was stopped (or failed) before the request completed. */
export class NodeStoppedError extends RaftNodeError {
  readonly code = 'RAFT_NODE_STOPPED';
  readonly retryable = false;
  override readonly name = 'NodeStoppedError';
  constructor(cause?: unknown) {
    super('raft node is stopped', cause === undefined ? undefined : { cause });
  }
}

/**
 * This member stopped being leader (or its term moved on) while a proposal was in flight. The entry
 * may still commit under the next leader: the outcome is unknown, so only idempotent proposals may be
 * retried blindly.
 */
export class LeadershipLostError extends RaftNodeError {
  readonly code = 'RAFT_LEADERSHIP_LOST';
  readonly retryable = true;
  override readonly name = 'LeadershipLostError';
  constructor(readonly index: number) {
    super(`leadership lost while proposal at index ${index} was in flight; its outcome is unknown`);
  }
}

/** The proposal's log slot was taken by another leader's entry: it was certainly not applied. */
export class ProposalSupersededError extends RaftNodeError {
  readonly code = 'RAFT_PROPOSAL_SUPERSEDED';
  readonly retryable = true;
  override readonly name = 'ProposalSupersededError';
  constructor(readonly index: number, proposedTerm: number, committedTerm: number) {
    super(`proposal at index ${index} (term ${proposedTerm}) was replaced by an entry of term ${committedTerm}`);
  }
}

/** A read or proposal did not complete within the node's requestTimeoutMs. */
export class RequestTimeoutError extends RaftNodeError {
  readonly code = 'RAFT_REQUEST_TIMEOUT';
  readonly retryable = true;
  override readonly name = 'RequestTimeoutError';
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not complete within ${timeoutMs} ms`);
  }
}

/** Empty data is reserved for the leader's own no-op entry, which is never handed to the state machine. */
export class EmptyProposalError extends RaftNodeError {
  readonly code = 'RAFT_EMPTY_PROPOSAL';
  readonly retryable = false;
  override readonly name = 'EmptyProposalError';
  constructor() {
    super('a proposal must carry at least one byte of data');
  }
}
