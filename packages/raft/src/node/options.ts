// Tuning of a RaftNode. Every option is optional with a documented default; compileNodeOptions()
// returns a fully-required, validated copy so the driver never re-checks or re-defaults.
import { InvalidRaftOptionsError } from '../core/errors.js';
import type { RaftOptions } from '../core/options.js';

/** Protocol tuning passed through to the core as is; the node owns the rest of RaftOptions. */
export type CoreTuning = Omit<RaftOptions, 'id' | 'storage' | 'applied' | 'electionTicks' | 'heartbeatTicks' | 'random'>;

export interface RaftNodeOptions {
  /** Wall-clock length of one Raft tick. Default 100. */
  readonly tickMs?: number;
  /** Ticks without hearing from a leader before a follower campaigns (randomised up to 2×). Default 10. */
  readonly electionTicks?: number;
  /** Ticks between a leader's heartbeats; must be less than electionTicks. Default 1. */
  readonly heartbeatTicks?: number;
  /** Take a snapshot of the state machine and compact the log every this many applied entries; 0 never. Default 10000. */
  readonly snapshotEveryEntries?: number;
  /** Entries kept behind a snapshot so slightly lagging followers catch up without one. Default 1000. */
  readonly keepEntriesAfterSnapshot?: number;
  /** Bound on readIndex() and on proposals that no leader commits. Default 10000. */
  readonly requestTimeoutMs?: number;
  /** Source of randomness for election timeouts. Default Math.random. */
  readonly random?: () => number;
  /** Protocol tuning for the core (pre-vote, check-quorum, flow control, logger); see RaftOptions. Default {}. */
  readonly raft?: CoreTuning;
  /** Called once if the node fails (storage error, state machine throws) and stops itself. */
  readonly onFatal?: (err: unknown) => void;
  /** Called whenever this member learns of a new leader (or of none), with the current term. */
  readonly onLeaderChange?: (leader: string | null, term: number) => void;
}

export interface CompiledNodeOptions {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotEveryEntries: number;
  readonly keepEntriesAfterSnapshot: number;
  readonly requestTimeoutMs: number;
  readonly random: () => number;
  readonly raft: CoreTuning;
  readonly onFatal: (err: unknown) => void;
  readonly onLeaderChange: (leader: string | null, term: number) => void;
}

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new InvalidRaftOptionsError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return v;
}

export function compileNodeOptions(opts: RaftNodeOptions = {}): CompiledNodeOptions {
  const compiled: CompiledNodeOptions = {
    tickMs: integer('tickMs', opts.tickMs, 100, 1),
    electionTicks: integer('electionTicks', opts.electionTicks, 10, 2),
    heartbeatTicks: integer('heartbeatTicks', opts.heartbeatTicks, 1, 1),
    snapshotEveryEntries: integer('snapshotEveryEntries', opts.snapshotEveryEntries, 10_000, 0),
    keepEntriesAfterSnapshot: integer('keepEntriesAfterSnapshot', opts.keepEntriesAfterSnapshot, 1000, 0),
    requestTimeoutMs: integer('requestTimeoutMs', opts.requestTimeoutMs, 10_000, 1),
    random: opts.random ?? Math.random,
    raft: opts.raft ?? {},
    onFatal: opts.onFatal ?? (() => {}),
    onLeaderChange: opts.onLeaderChange ?? (() => {}),
  };
  if (compiled.heartbeatTicks >= compiled.electionTicks) {
    throw new InvalidRaftOptionsError(
      `heartbeatTicks (${compiled.heartbeatTicks}) must be less than electionTicks (${compiled.electionTicks})`,
    );
  }
  return compiled;
}
