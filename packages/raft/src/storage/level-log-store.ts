// Durable Raft state on LevelDB: hard state, the log, the latest snapshot. Each save is one atomic
// LevelDB batch, so a crash leaves either all of a Ready's state or none of it, and the batch is
// fsync'd when the Ready says so: a node acknowledges only what survives power loss.
import { Level } from 'level';
import type { Entry, HardState, Snapshot } from '../core/types.js';
import {
  decodeBlob,
  decodeEntry,
  decodeHardState,
  decodeRange,
  decodeSnapshotMeta,
  encodeBlob,
  encodeEntry,
  encodeHardState,
  encodeRange,
  encodeSnapshotMeta,
  type LogRange,
} from './codec.js';
import { CorruptStorageError, StorageClosedError } from './errors.js';
import {
  ENTRY_KEYS_FROM,
  ENTRY_KEYS_TO,
  HARD_STATE_KEY,
  RANGE_KEY,
  SNAPSHOT_DATA_KEY,
  SNAPSHOT_META_KEY,
  entryKey,
  entryLabel,
  indexOfEntryKey,
} from './keys.js';

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };

/** What a restarted node needs: everything that was durably saved, verified. */
export interface DurableState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** The stored log in index order; it may begin at or before the snapshot's index. */
  readonly entries: readonly Entry[];
}

/** One Ready's worth of state to persist. */
export interface SaveRequest {
  readonly hardState?: HardState | null;
  /** Appended after the snapshot (if any); a conflicting stored suffix from entries[0].index on is replaced. */
  readonly entries?: readonly Entry[];
  /** A snapshot received from the leader: it replaces the whole stored log. */
  readonly snapshot?: Snapshot | null;
}

export interface WriteOptions {
  /** fsync before resolving. Required whenever the write backs a message the node will send. */
  readonly sync: boolean;
}

type Op = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };
type Db = Level<Buffer, Buffer>;

const EMPTY_RANGE: LogRange = { firstIndex: 1, lastIndex: 0 };

export class LevelLogStore {
  /** Invariant: equals the durable RANGE record (or EMPTY_RANGE when none was written). */
  private range: LogRange;
  /** Index of the stored snapshot, 0 when none; compaction may not pass it. */
  private snapshotIndex: number;
  private writing = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly db: Db,
    range: LogRange,
    snapshotIndex: number,
  ) {
    this.range = range;
    this.snapshotIndex = snapshotIndex;
  }

  /** Opens (creating if needed) the store in `dir`. Call load() to read and verify its contents. */
  static async open(dir: string): Promise<LevelLogStore> {
    const db: Db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      const [rangeRaw, metaRaw] = (await db.getMany([RANGE_KEY, SNAPSHOT_META_KEY])) as (Buffer | undefined)[];
      const range = rangeRaw === undefined ? EMPTY_RANGE : decodeRange(RANGE_KEY, rangeRaw, 'range');
      const snapIndex = metaRaw === undefined ? 0 : decodeSnapshotMeta(SNAPSHOT_META_KEY, metaRaw, 'snapshot').index;
      return new LevelLogStore(db, range, snapIndex);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  get firstIndex(): number {
    return this.range.firstIndex;
  }

  get lastIndex(): number {
    return this.range.lastIndex;
  }

  /** Reads and verifies everything; throws CorruptStorageError rather than return a damaged state. */
  async load(): Promise<DurableState> {
    this.assertOpen();
    const [hsRaw, metaRaw, dataRaw] = (await this.db.getMany([HARD_STATE_KEY, SNAPSHOT_META_KEY, SNAPSHOT_DATA_KEY])) as (
      | Buffer
      | undefined
    )[];
    const hardState = hsRaw === undefined ? EMPTY_HARD_STATE : decodeHardState(HARD_STATE_KEY, hsRaw, 'hardstate');
    const snapshot = readSnapshot(metaRaw, dataRaw);
    const entries = await this.readEntries();
    checkConsistency(this.range, hardState, snapshot);
    return { hardState, snapshot, entries };
  }

  private async readEntries(): Promise<Entry[]> {
    const { firstIndex, lastIndex } = this.range;
    const entries: Entry[] = [];
    let expected = firstIndex;
    for await (const [key, value] of this.db.iterator({ gte: ENTRY_KEYS_FROM, lt: ENTRY_KEYS_TO })) {
      const index = indexOfEntryKey(key);
      if (index === null) throw new CorruptStorageError('malformed', `key/${key.toString('hex')}`, 'not a valid entry key');
      const label = entryLabel(index);
      if (index < firstIndex || index > lastIndex) {
        throw new CorruptStorageError('inconsistent', label, `entry outside the recorded log [${firstIndex}, ${lastIndex}]`, index);
      }
      if (index !== expected) {
        throw new CorruptStorageError('gap', entryLabel(expected), `entry ${expected} is missing (next stored is ${index})`, expected);
      }
      const entry = decodeEntry(key, value, label, index);
      if (entry.index !== index) {
        throw new CorruptStorageError('inconsistent', label, `record holds entry ${entry.index}`, index);
      }
      const prev = entries[entries.length - 1];
      if (prev !== undefined && entry.term < prev.term) {
        throw new CorruptStorageError('inconsistent', label, `term ${entry.term} after term ${prev.term}`, index);
      }
      entries.push(entry);
      expected++;
    }
    if (expected !== lastIndex + 1) {
      throw new CorruptStorageError('truncated', entryLabel(expected), `log ends at ${expected - 1}, recorded last index is ${lastIndex}`, expected);
    }
    return entries;
  }

  /** Persists one Ready as a single atomic batch (fsync'd when `sync`). */
  async save(req: SaveRequest, opts: WriteOptions): Promise<void> {
    const ops: Op[] = [];
    let range = this.range;
    let snapshotIndex = this.snapshotIndex;
    if (req.snapshot) {
      const { meta } = req.snapshot;
      for (let i = range.firstIndex; i <= range.lastIndex; i++) ops.push({ type: 'del', key: entryKey(i) });
      pushSnapshot(ops, req.snapshot);
      range = { firstIndex: meta.index + 1, lastIndex: meta.index };
      snapshotIndex = meta.index;
    }
    if (req.entries && req.entries.length > 0) range = appendOps(ops, range, req.entries);
    if (req.hardState) ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(HARD_STATE_KEY, req.hardState) });
    if (range !== this.range) ops.push({ type: 'put', key: RANGE_KEY, value: encodeRange(RANGE_KEY, range) });
    if (ops.length === 0) return;
    await this.write(ops, opts.sync);
    this.range = range;
    this.snapshotIndex = snapshotIndex;
  }

  /** Stores a snapshot the node took of its own state machine; the log is left as it is. */
  async saveSnapshot(snapshot: Snapshot, opts: WriteOptions): Promise<void> {
    if (snapshot.meta.index <= this.snapshotIndex) return;
    const ops: Op[] = [];
    pushSnapshot(ops, snapshot);
    await this.write(ops, opts.sync);
    this.snapshotIndex = snapshot.meta.index;
  }

  /** Deletes entries up to and including `index`, which the stored snapshot must already cover. */
  async compact(index: number): Promise<void> {
    if (index > this.snapshotIndex) {
      throw new RangeError(`cannot compact to ${index}: the stored snapshot only covers up to ${this.snapshotIndex}`);
    }
    const { firstIndex, lastIndex } = this.range;
    const upTo = Math.min(index, lastIndex);
    if (upTo < firstIndex) return;
    const ops: Op[] = [];
    for (let i = firstIndex; i <= upTo; i++) ops.push({ type: 'del', key: entryKey(i) });
    const range = { firstIndex: upTo + 1, lastIndex };
    ops.push({ type: 'put', key: RANGE_KEY, value: encodeRange(RANGE_KEY, range) });
    await this.write(ops, false);
    this.range = range;
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.db.close();
    return this.closing;
  }

  private async write(ops: Op[], sync: boolean): Promise<void> {
    this.assertOpen();
    // The in-memory range is computed from the previous write; overlapping writes would corrupt it.
    if (this.writing) throw new Error('assertion failed: LevelLogStore writes must not overlap');
    this.writing = true;
    try {
      await this.db.batch(ops, { sync });
    } finally {
      this.writing = false;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }
}

/** Puts entries after `range`, replacing a conflicting stored suffix; returns the new range. */
function appendOps(ops: Op[], range: LogRange, entries: readonly Entry[]): LogRange {
  const first = entries[0]!.index;
  const last = first + entries.length - 1;
  if (first < range.firstIndex || first > range.lastIndex + 1) {
    throw new RangeError(`entries from ${first} do not attach to the stored log [${range.firstIndex}, ${range.lastIndex}]`);
  }
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k]!;
    if (e.index !== first + k) throw new RangeError(`entries are not contiguous at ${e.index}`);
    const key = entryKey(e.index);
    ops.push({ type: 'put', key, value: encodeEntry(key, e) });
  }
  for (let i = last + 1; i <= range.lastIndex; i++) ops.push({ type: 'del', key: entryKey(i) });
  return { firstIndex: range.firstIndex, lastIndex: last };
}

function pushSnapshot(ops: Op[], snapshot: Snapshot): void {
  ops.push({ type: 'put', key: SNAPSHOT_META_KEY, value: encodeSnapshotMeta(SNAPSHOT_META_KEY, snapshot.meta, snapshot.data.byteLength) });
  ops.push({ type: 'put', key: SNAPSHOT_DATA_KEY, value: encodeBlob(SNAPSHOT_DATA_KEY, snapshot.data) });
}

function readSnapshot(metaRaw: Buffer | undefined, dataRaw: Buffer | undefined): Snapshot | null {
  if (metaRaw === undefined && dataRaw === undefined) return null;
  if (metaRaw === undefined) throw new CorruptStorageError('inconsistent', 'snapshot', 'snapshot data without its metadata');
  if (dataRaw === undefined) throw new CorruptStorageError('inconsistent', 'snapshot-data', 'snapshot metadata without its data');
  const { dataBytes, ...meta } = decodeSnapshotMeta(SNAPSHOT_META_KEY, metaRaw, 'snapshot');
  const data = decodeBlob(SNAPSHOT_DATA_KEY, dataRaw, 'snapshot-data');
  if (data.byteLength !== dataBytes) {
    throw new CorruptStorageError('inconsistent', 'snapshot-data', `${data.byteLength} bytes, metadata says ${dataBytes}`);
  }
  return { meta, data };
}

function checkConsistency(range: LogRange, hs: HardState, snapshot: Snapshot | null): void {
  const snapIndex = snapshot?.meta.index ?? 0;
  if (range.firstIndex > snapIndex + 1) {
    throw new CorruptStorageError('gap', entryLabel(snapIndex + 1), `log starts at ${range.firstIndex} but the snapshot ends at ${snapIndex}`, snapIndex + 1);
  }
  const durableEnd = Math.max(range.lastIndex, snapIndex);
  if (hs.commit > durableEnd) {
    throw new CorruptStorageError('inconsistent', 'hardstate', `commit ${hs.commit} is beyond the last stored index ${durableEnd}`);
  }
}
