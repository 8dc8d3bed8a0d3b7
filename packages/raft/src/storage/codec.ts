// Binary records of the durable Raft state. Every value is framed as
//   [u8 format version][u32 crc32(key ‖ payload)][payload]
// so a flipped bit, a value written under the wrong key, or a torn value is caught on load. Integers
// are unsigned 48-bit big-endian: log indexes and terms stay exact JavaScript numbers.
import { crc32 } from 'node:zlib';
import type { ConfState, Entry, EntryType, HardState, SnapshotMeta } from '../core/types.js';
import { CorruptStorageError } from './errors.js';

const FORMAT_VERSION = 1;
const HEADER_BYTES = 5;
const U48_BYTES = 6;
const ENTRY_FIXED_BYTES = 1 + 2 * U48_BYTES;
const ENTRY_TYPES: readonly EntryType[] = ['normal', 'conf-change'];

/** The log range the store holds: [firstIndex, lastIndex], empty when lastIndex === firstIndex - 1. */
export interface LogRange {
  readonly firstIndex: number;
  readonly lastIndex: number;
}

export interface SnapshotRecord extends SnapshotMeta {
  readonly dataBytes: number;
}

function frame(key: Uint8Array, payloadBytes: number, fill: (out: Buffer, at: number) => void): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  out[0] = FORMAT_VERSION;
  fill(out, HEADER_BYTES);
  out.writeUInt32BE(crc32(out.subarray(HEADER_BYTES), crc32(key)), 1);
  return out;
}

/** Checks the frame and returns the payload; `label` names the record in errors. */
function unframe(key: Uint8Array, value: Uint8Array, label: string, index: number | null): Buffer {
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (buf.length < HEADER_BYTES) {
    throw new CorruptStorageError('malformed', label, `record is ${buf.length} bytes, shorter than its header`, index);
  }
  if (buf[0] !== FORMAT_VERSION) {
    throw new CorruptStorageError('malformed', label, `unknown record format version ${buf[0]}`, index);
  }
  const payload = buf.subarray(HEADER_BYTES);
  const expected = buf.readUInt32BE(1);
  const actual = crc32(payload, crc32(key));
  if (expected !== actual) {
    throw new CorruptStorageError('checksum', label, `crc32 is ${actual.toString(16)}, record says ${expected.toString(16)}`, index);
  }
  return payload;
}

/** A bounds-checked cursor; any overrun means the record is malformed. */
class Reader {
  private at = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly label: string,
    private readonly index: number | null,
  ) {}

  private need(bytes: number): number {
    const start = this.at;
    if (start + bytes > this.buf.length) {
      throw new CorruptStorageError('malformed', this.label, `record ends at byte ${this.buf.length}, needed ${start + bytes}`, this.index);
    }
    this.at += bytes;
    return start;
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }
  u16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  u48(): number {
    return this.buf.readUIntBE(this.need(U48_BYTES), U48_BYTES);
  }
  string(): string {
    const bytes = this.u16();
    const start = this.need(bytes);
    return this.buf.toString('utf8', start, start + bytes);
  }
  rest(): Buffer {
    return this.buf.subarray(this.need(this.buf.length - this.at));
  }
  end(): void {
    if (this.at !== this.buf.length) {
      throw new CorruptStorageError('malformed', this.label, `${this.buf.length - this.at} unexpected trailing bytes`, this.index);
    }
  }
}

export function encodeEntry(key: Uint8Array, e: Entry): Buffer {
  return frame(key, ENTRY_FIXED_BYTES + e.data.byteLength, (out, at) => {
    out[at] = e.type === 'normal' ? 0 : 1;
    out.writeUIntBE(e.term, at + 1, U48_BYTES);
    out.writeUIntBE(e.index, at + 1 + U48_BYTES, U48_BYTES);
    out.set(e.data, at + ENTRY_FIXED_BYTES);
  });
}

export function decodeEntry(key: Uint8Array, value: Uint8Array, label: string, index: number): Entry {
  const r = new Reader(unframe(key, value, label, index), label, index);
  const typeCode = r.u8();
  const type = ENTRY_TYPES[typeCode];
  if (type === undefined) throw new CorruptStorageError('malformed', label, `unknown entry type ${typeCode}`, index);
  const term = r.u48();
  const entryIndex = r.u48();
  // Copy out of LevelDB's buffer so the entry owns exactly its bytes.
  const data = new Uint8Array(r.rest());
  return { type, term, index: entryIndex, data };
}

export function encodeHardState(key: Uint8Array, hs: HardState): Buffer {
  const vote = hs.vote === null ? null : Buffer.from(hs.vote, 'utf8');
  return frame(key, 2 * U48_BYTES + 1 + 2 + (vote?.length ?? 0), (out, at) => {
    out.writeUIntBE(hs.term, at, U48_BYTES);
    out.writeUIntBE(hs.commit, at + U48_BYTES, U48_BYTES);
    out[at + 2 * U48_BYTES] = vote === null ? 0 : 1;
    out.writeUInt16BE(vote?.length ?? 0, at + 2 * U48_BYTES + 1);
    if (vote !== null) out.set(vote, at + 2 * U48_BYTES + 3);
  });
}

export function decodeHardState(key: Uint8Array, value: Uint8Array, label: string): HardState {
  const r = new Reader(unframe(key, value, label, null), label, null);
  const term = r.u48();
  const commit = r.u48();
  const hasVote = r.u8();
  const vote = r.string();
  r.end();
  return { term, commit, vote: hasVote === 1 ? vote : null };
}

export function encodeRange(key: Uint8Array, range: LogRange): Buffer {
  return frame(key, 2 * U48_BYTES, (out, at) => {
    out.writeUIntBE(range.firstIndex, at, U48_BYTES);
    out.writeUIntBE(range.lastIndex, at + U48_BYTES, U48_BYTES);
  });
}

export function decodeRange(key: Uint8Array, value: Uint8Array, label: string): LogRange {
  const r = new Reader(unframe(key, value, label, null), label, null);
  const range = { firstIndex: r.u48(), lastIndex: r.u48() };
  r.end();
  return range;
}

function idsBytes(ids: readonly string[]): number {
  return 2 + ids.reduce((sum, id) => sum + 2 + Buffer.byteLength(id, 'utf8'), 0);
}

function writeIds(out: Buffer, at: number, ids: readonly string[]): number {
  out.writeUInt16BE(ids.length, at);
  let pos = at + 2;
  for (const id of ids) {
    const len = out.write(id, pos + 2, 'utf8');
    out.writeUInt16BE(len, pos);
    pos += 2 + len;
  }
  return pos;
}

function readIds(r: Reader): string[] {
  const count = r.u16();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(r.string());
  return ids;
}

export function encodeSnapshotMeta(key: Uint8Array, meta: SnapshotMeta, dataBytes: number): Buffer {
  const { voters, learners } = meta.confState;
  return frame(key, 2 * U48_BYTES + 4 + idsBytes(voters) + idsBytes(learners), (out, at) => {
    out.writeUIntBE(meta.index, at, U48_BYTES);
    out.writeUIntBE(meta.term, at + U48_BYTES, U48_BYTES);
    out.writeUInt32BE(dataBytes, at + 2 * U48_BYTES);
    writeIds(out, writeIds(out, at + 2 * U48_BYTES + 4, voters), learners);
  });
}

export function decodeSnapshotMeta(key: Uint8Array, value: Uint8Array, label: string): SnapshotRecord {
  const r = new Reader(unframe(key, value, label, null), label, null);
  const index = r.u48();
  const term = r.u48();
  const dataBytes = r.u32();
  const confState: ConfState = { voters: readIds(r), learners: readIds(r) };
  r.end();
  return { index, term, dataBytes, confState };
}

export function encodeBlob(key: Uint8Array, data: Uint8Array): Buffer {
  return frame(key, data.byteLength, (out, at) => out.set(data, at));
}

export function decodeBlob(key: Uint8Array, value: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(unframe(key, value, label, null));
}
