// Binds the store to the Raft log: committed entries become store transactions, in order.
import type { Entry, StateMachine } from '@shoal/raft';
import type { ApplyResult, MemoryStore } from './memory-store.js';
import { decodeTransaction } from './transaction.js';

const SKIPPED: ApplyResult = { ok: true };

export class StoreStateMachine implements StateMachine<ApplyResult> {
  constructor(private readonly store: MemoryStore) {}

  apply(entries: readonly Entry[]): ApplyResult[] {
    return entries.map((entry) => {
      // Leader no-ops and membership changes carry no store transaction but still advance the index.
      if (entry.type !== 'normal' || entry.data.length === 0) {
        this.store.skip(entry.index);
        return SKIPPED;
      }
      return this.store.apply(entry.index, decodeTransaction(entry.data));
    });
  }

  restore(data: Uint8Array): void {
    this.store.restore(data);
  }

  snapshot(): Promise<Uint8Array> {
    return this.store.snapshotInTurns();
  }
}
