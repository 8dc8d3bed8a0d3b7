// A node's disk. Writes land in a page cache first and become durable only at fsync; a crash
// loses whatever was written but not yet synced, which is exactly the tail a real machine loses.
// The durable image is itself a MemoryStorage, replayed in write order, so it follows the same
// rules (append truncates a conflicting suffix, a snapshot replaces the log) as the live one.

import { MemoryStorage } from '../../src/core/storage.js';
import type { ConfState, Entry, HardState, Index, Snapshot } from '../../src/core/types.js';

type Write =
  | { readonly kind: 'hard-state'; readonly hardState: HardState }
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'compact'; readonly index: Index; readonly confState: ConfState; readonly data: Uint8Array; readonly compactTo: Index };

function replay(storage: MemoryStorage, w: Write): void {
  switch (w.kind) {
    case 'hard-state':
      storage.setHardState(w.hardState);
      return;
    case 'snapshot':
      storage.applySnapshot(w.snapshot);
      return;
    case 'entries':
      storage.append(w.entries);
      return;
    case 'compact':
      storage.createSnapshot(w.index, w.confState, w.data);
      if (w.compactTo > storage.firstIndex() - 1) storage.compact(w.compactTo);
      return;
  }
}

export class SimDisk {
  private readonly durable = new MemoryStorage();
  private unsynced: Write[] = [];

  /** A founding member's disk: the bootstrap snapshot, already durable. */
  static bootstrapped(snapshot: Snapshot): SimDisk {
    const disk = new SimDisk();
    disk.durable.applySnapshot(snapshot);
    return disk;
  }

  /** Writes through the page cache into the node's live storage; durable only after sync(). */
  write(live: MemoryStorage, w: Write): void {
    replay(live, w);
    this.unsynced.push(w);
  }

  sync(): void {
    for (const w of this.unsynced) replay(this.durable, w);
    this.unsynced = [];
  }

  /** The page cache is gone: unsynced writes never happened. */
  crash(): void {
    this.unsynced = [];
  }

  /** A fresh live storage holding exactly what is durable, for a restarting node. */
  load(): MemoryStorage {
    const live = new MemoryStorage();
    const snap = this.durable.snapshot();
    if (snap.meta.index > 0) live.applySnapshot(snap);
    live.setHardState(this.durable.initialState().hardState);
    const first = this.durable.firstIndex();
    const last = this.durable.lastIndex();
    if (last >= first) live.append(this.durable.entries(first, last + 1, Number.MAX_SAFE_INTEGER));
    return live;
  }
}
