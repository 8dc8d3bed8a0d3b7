// Snapshots travel in chunks of bounded size. Chunks of one snapshot go out in order; the receiver
// appends them while offsets line up and drops the partial snapshot on any gap (the leader retries).
import type { NodeId, Snapshot, SnapshotMeta } from './types.js';

export interface SnapshotChunk {
  readonly meta: SnapshotMeta;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

/** Always at least one chunk, so that an empty snapshot still gets delivered. */
export function splitSnapshot(snap: Snapshot, maxChunkBytes: number): SnapshotChunk[] {
  const total = snap.data.byteLength;
  const chunks: SnapshotChunk[] = [];
  for (let offset = 0; offset < total || chunks.length === 0; offset += maxChunkBytes) {
    const data = snap.data.subarray(offset, Math.min(total, offset + maxChunkBytes));
    chunks.push({ meta: snap.meta, offset, totalBytes: total, data });
  }
  return chunks;
}

function sameSnapshot(a: SnapshotMeta, b: SnapshotMeta): boolean {
  return a.index === b.index && a.term === b.term;
}

export class SnapshotAssembly {
  private readonly parts: Uint8Array[] = [];
  private received = 0;

  private constructor(readonly from: NodeId, readonly meta: SnapshotMeta, readonly totalBytes: number) {}

  /** Starts a new assembly on a first chunk; null for any other chunk. */
  static start(from: NodeId, chunk: SnapshotChunk): SnapshotAssembly | null {
    if (chunk.offset !== 0) return null;
    return new SnapshotAssembly(from, chunk.meta, chunk.totalBytes);
  }

  /** Whether `chunk` is exactly the next piece of this snapshot from the same sender. */
  accepts(from: NodeId, chunk: SnapshotChunk): boolean {
    return from === this.from && sameSnapshot(chunk.meta, this.meta) && chunk.totalBytes === this.totalBytes &&
      chunk.offset === this.received && this.received + chunk.data.byteLength <= this.totalBytes;
  }

  add(chunk: SnapshotChunk): void {
    this.parts.push(chunk.data);
    this.received += chunk.data.byteLength;
  }

  complete(): boolean {
    return this.received === this.totalBytes;
  }

  snapshot(): Snapshot {
    const data = new Uint8Array(this.totalBytes);
    let at = 0;
    for (const part of this.parts) {
      data.set(part, at);
      at += part.byteLength;
    }
    return { meta: this.meta, data };
  }
}
