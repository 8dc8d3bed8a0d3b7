// Flow control for one follower in replicate state: the append messages sent but not yet
// acknowledged, bounded both in count and in total bytes (like etcd's tracker/inflights.go).
import { invariant } from './errors.js';
import type { Index } from './types.js';

interface Inflight {
  /** Last entry index carried by the message. */
  readonly index: Index;
  readonly bytes: number;
}

export class Inflights {
  /** Oldest first; indexes strictly increase. */
  private readonly queue: Inflight[] = [];
  private head = 0;
  private totalBytes = 0;

  /** maxBytes 0 means no byte limit. */
  constructor(readonly maxCount: number, readonly maxBytes: number) {
    invariant(maxCount > 0, () => `inflight count limit must be positive, got ${maxCount}`);
  }

  count(): number {
    return this.queue.length - this.head;
  }

  bytes(): number {
    return this.totalBytes;
  }

  full(): boolean {
    return this.count() >= this.maxCount || (this.maxBytes > 0 && this.totalBytes >= this.maxBytes);
  }

  add(index: Index, bytes: number): void {
    invariant(!this.full(), () => `adding inflight ${index} to full inflights`);
    const last = this.queue[this.queue.length - 1];
    invariant(this.count() === 0 || last === undefined || index > last.index, () =>
      `inflight ${index} not above the last inflight ${last?.index}`);
    this.queue.push({ index, bytes });
    this.totalBytes += bytes;
  }

  /** Frees every message whose last index is <= `index` (the follower acknowledged them). */
  freeLE(index: Index): void {
    while (this.head < this.queue.length) {
      const first = this.queue[this.head]!;
      if (first.index > index) break;
      this.totalBytes -= first.bytes;
      this.head++;
    }
    // Compact the array now and then so it does not grow without bound.
    if (this.head > 0 && this.head >= this.queue.length / 2) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  reset(): void {
    this.queue.length = 0;
    this.head = 0;
    this.totalBytes = 0;
  }
}
