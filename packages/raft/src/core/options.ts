// Options of a Raft node: public options are optional and documented with their default;
// compileRaftOptions() validates them and returns a fully-specified object.
import { InvalidRaftOptionsError } from './errors.js';
import { hashString, seededRandom } from './random.js';
import type { LogStorage } from './storage.js';
import type { Index, NodeId } from './types.js';

/** Where the core reports notable events (elections, role changes, snapshots). */
export interface RaftLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RaftOptions {
  /** This node's id. Required, non-empty. */
  readonly id: NodeId;
  /** The persisted log, hard state and configuration. Required. */
  readonly storage: LogStorage;
  /** Base election timeout in ticks; a follower waits a random [electionTicks, 2*electionTicks). Default 10. */
  readonly electionTicks?: number;
  /** Ticks between leader heartbeats; must be less than electionTicks. Default 1. */
  readonly heartbeatTicks?: number;
  /** Ask for pre-votes before a real election, so a partitioned node cannot disrupt the cluster by bumping terms. Default true. */
  readonly preVote?: boolean;
  /** Leader steps down when it has not heard from a quorum within an election timeout; followers then honour a leader lease. Default true. */
  readonly checkQuorum?: boolean;
  /** Most append messages in flight to one follower. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Most entry bytes in flight to one follower; 0 means no byte limit. Default 32 MiB. */
  readonly maxInflightBytes?: number;
  /** Most entry bytes in one append message (one entry is always allowed). Default 1 MiB. */
  readonly maxSizePerMsgBytes?: number;
  /** Most entry bytes handed out for applying in one Ready (one entry is always allowed). Default 1 MiB. */
  readonly maxCommittedSizePerReadyBytes?: number;
  /** Most snapshot bytes in one snapshot message; larger snapshots go out in chunks. Default 4 MiB. */
  readonly maxSnapshotChunkBytes?: number;
  /** Leader ticks to wait for a follower to acknowledge a snapshot before sending it again. Default electionTicks. */
  readonly snapshotRetryTicks?: number;
  /** Highest index the application already applied (on restart). Default 0. */
  readonly applied?: Index;
  /** Random source in [0, 1) for election timeouts. Default: a PRNG seeded from the node id. */
  readonly random?: () => number;
  /** Default: silent. */
  readonly logger?: RaftLogger;
}

export interface CompiledRaftOptions {
  readonly id: NodeId;
  readonly storage: LogStorage;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxSizePerMsgBytes: number;
  readonly maxCommittedSizePerReadyBytes: number;
  readonly maxSnapshotChunkBytes: number;
  readonly snapshotRetryTicks: number;
  readonly applied: Index;
  readonly random: () => number;
  readonly logger: RaftLogger;
}

const MiB = 1024 * 1024;
const SILENT: RaftLogger = { info: () => {}, warn: () => {} };

function integer(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidRaftOptionsError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function compileRaftOptions(opts: RaftOptions): CompiledRaftOptions {
  if (typeof opts.id !== 'string' || opts.id === '') throw new InvalidRaftOptionsError('id must be a non-empty string');
  if (opts.storage === undefined || opts.storage === null) throw new InvalidRaftOptionsError('storage is required');
  const electionTicks = integer('electionTicks', opts.electionTicks ?? 10, 1);
  const heartbeatTicks = integer('heartbeatTicks', opts.heartbeatTicks ?? 1, 1);
  if (heartbeatTicks >= electionTicks) {
    throw new InvalidRaftOptionsError(`heartbeatTicks (${heartbeatTicks}) must be less than electionTicks (${electionTicks})`);
  }
  const maxSizePerMsgBytes = integer('maxSizePerMsgBytes', opts.maxSizePerMsgBytes ?? MiB, 0);
  const maxInflightBytes = integer('maxInflightBytes', opts.maxInflightBytes ?? 32 * MiB, 0);
  if (maxInflightBytes !== 0 && maxInflightBytes < maxSizePerMsgBytes) {
    throw new InvalidRaftOptionsError(
      `maxInflightBytes (${maxInflightBytes}) must be 0 (no limit) or at least maxSizePerMsgBytes (${maxSizePerMsgBytes})`);
  }
  const snapshotRetryTicks = integer('snapshotRetryTicks', opts.snapshotRetryTicks ?? electionTicks, 1);
  if (snapshotRetryTicks <= heartbeatTicks) {
    throw new InvalidRaftOptionsError(
      `snapshotRetryTicks (${snapshotRetryTicks}) must be more than heartbeatTicks (${heartbeatTicks})`);
  }
  if (opts.random !== undefined && typeof opts.random !== 'function') throw new InvalidRaftOptionsError('random must be a function');
  return {
    id: opts.id,
    storage: opts.storage,
    electionTicks,
    heartbeatTicks,
    preVote: opts.preVote ?? true,
    checkQuorum: opts.checkQuorum ?? true,
    maxInflightMsgs: integer('maxInflightMsgs', opts.maxInflightMsgs ?? 256, 1),
    maxInflightBytes,
    maxSizePerMsgBytes,
    maxCommittedSizePerReadyBytes: integer('maxCommittedSizePerReadyBytes', opts.maxCommittedSizePerReadyBytes ?? MiB, 0),
    maxSnapshotChunkBytes: integer('maxSnapshotChunkBytes', opts.maxSnapshotChunkBytes ?? 4 * MiB, 1),
    snapshotRetryTicks,
    applied: integer('applied', opts.applied ?? 0, 0),
    random: opts.random ?? seededRandom(hashString(opts.id)),
    logger: opts.logger ?? SILENT,
  };
}
