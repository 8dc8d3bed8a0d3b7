/** Why a store was refused on load; stable strings, safe to match on. */
export type CorruptionKind =
  /** A record's checksum does not match its key and payload. */
  | 'checksum'
  /** A record is too short, has an unknown version, or its fields do not parse. */
  | 'malformed'
  /** An index inside the recorded log range has no entry. */
  | 'gap'
  /** The log ends before the last index the store recorded as written. */
  | 'truncated'
  /** Records that each parse but contradict one another (e.g. commit beyond the log). */
  | 'inconsistent';

/**
 * The on-disk Raft state cannot be trusted. Never recovered from silently: a node that used a damaged
 * log could vote or acknowledge against what it promised before, so the operator must restore the member
 * (remove it and re-join, or restore from a backup).
 */
export class CorruptStorageError extends Error {
  readonly code = 'RAFT_STORAGE_CORRUPT';
  override readonly name = 'CorruptStorageError';

  constructor(
    readonly kind: CorruptionKind,
    /** The LevelDB key of the offending record, printable (e.g. "entry/42", "hardstate"). */
    readonly key: string,
    detail: string,
    /** The log index concerned, when the problem is about an entry. */
    readonly index: number | null = null,
  ) {
    super(`raft storage corrupt (${kind}) at ${key}: ${detail}`);
  }
}

/** An operation on a store after close(). */
export class StorageClosedError extends Error {
  readonly code = 'RAFT_STORAGE_CLOSED';
  override readonly name = 'StorageClosedError';

  constructor() {
    super('raft storage is closed');
  }
}
