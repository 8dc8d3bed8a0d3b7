import type { Entry, Message } from '../core/types.js';

/**
 * Carries messages to other members. `send` must not block or throw: Raft tolerates lost messages, so a
 * transport drops what it cannot deliver. The embedding application delivers what arrives to
 * RaftNode.step().
 */
export interface Transport {
  send(messages: readonly Message[]): void;
}

/** The application's replicated state machine, driven only by committed entries. */
export interface StateMachine<R> {
  /**
   * Applies committed entries in log order and returns one result per entry, which resolves the
   * matching propose(). Must be deterministic: every member applies the same entries.
   */
  apply(entries: readonly Entry[]): readonly R[] | Promise<readonly R[]>;
  /** Replaces the whole state with a snapshot's data (after restart, or one sent by the leader). */
  restore(data: Uint8Array): void | Promise<void>;
  /**
   * The state as of the last applied entry, serialised. The state must be captured when this is
   * called; the serialisation may finish later, while more entries are applied.
   */
  snapshot(): Uint8Array | Promise<Uint8Array>;
}

/** Counters for tests and metrics. */
export interface RaftNodeStats {
  /** Ready batches written to storage with fsync. */
  readonly syncedWrites: number;
  /** Ready batches handled. */
  readonly readies: number;
  /** Entries appended to the durable log. */
  readonly persistedEntries: number;
  /** Snapshots this node took of its own state machine. */
  readonly snapshotsTaken: number;
}
