// A binary min-heap ordered by (atMs, seq): the seq tie-break keeps delivery order a pure function
// of the seed even when two events share a virtual millisecond.

export interface Timed {
  readonly atMs: number;
  readonly seq: number;
}

function before(a: Timed, b: Timed): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

export class TimedHeap<T extends Timed> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  /** Removes and returns the earliest item if it is due at or before nowMs. */
  popDue(nowMs: number): T | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined || top.atMs > nowMs) return undefined;
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l] as T, items[m] as T)) m = l;
        if (r < items.length && before(items[r] as T, items[m] as T)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}
