// Public surface of the Raft protocol core.
export * from './types.js';
export {
  RaftError, CompactedError, UnavailableError, SnapshotOutOfDateError, NotLeaderError, ProposalDroppedError,
  ConfChangeRejectedError, LeadershipTransferError, InvalidRaftOptionsError, InvalidConfChangeError, RaftInvariantError,
  type RaftErrorCode,
} from './errors.js';
export { MemoryStorage, emptySnapshot, type LogStorage, type InitialState } from './storage.js';
export { compileRaftOptions, type RaftOptions, type CompiledRaftOptions, type RaftLogger } from './options.js';
export { RawNode } from './rawnode.js';
export { encodeConfChange, decodeConfChange } from './confchange-codec.js';
export type { RaftStatus, ProgressStatus } from './status.js';
export type { ProgressState } from './progress.js';
export { entrySizeBytes, ENTRY_OVERHEAD_BYTES } from './entry-size.js';
export { seededRandom } from './random.js';
export {
  describeMessage, describeEntry, describeReady, describeHardState, describeSoftState, describeSnapshot, describeConfState,
} from './describe.js';
