export { RaftNode, type RaftNodeConfig } from './raft-node.js';
export { compileNodeOptions, type RaftNodeOptions, type CompiledNodeOptions } from './options.js';
export type { Transport, StateMachine, RaftNodeStats } from './types.js';
export { NodeStoppedError, LeadershipLostError, ProposalSupersededError, RequestTimeoutError, EmptyProposalError } from './errors.js';
