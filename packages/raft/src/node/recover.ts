// Rebuilds a member's in-memory Raft state from its durable store at start-up, or writes the initial
// state of a brand-new cluster member.
import { MemoryStorage } from '../core/storage.js';
import type { ConfState, HardState, NodeId, Snapshot } from '../core/types.js';
import type { LevelLogStore } from '../storage/index.js';
import type { StateMachine } from './types.js';

export interface Recovered {
  readonly mem: MemoryStorage;
  /** The state machine now reflects exactly the entries up to here (its snapshot). */
  readonly applied: number;
  readonly confState: ConfState;
}

/**
 * A new cluster starts from a snapshot at index 1 holding the initial membership and the state
 * machine's empty state. Every founding member writes the identical snapshot, so their logs agree
 * from the start, and a member that joins later (with an empty store) is caught up by the leader
 * sending that snapshot or a newer one.
 */
async function bootstrap<R>(store: LevelLogStore, sm: StateMachine<R>, peers: readonly NodeId[]): Promise<void> {
  const snapshot: Snapshot = {
    meta: { index: 1, term: 1, confState: { voters: [...peers], learners: [] } },
    data: await sm.snapshot(),
  };
  const hardState: HardState = { term: 1, vote: null, commit: 1 };
  await store.save({ snapshot, hardState }, { sync: true });
}

export async function recover<R>(store: LevelLogStore, sm: StateMachine<R>, peers: readonly NodeId[]): Promise<Recovered> {
  let durable = await store.load();
  const isNew = durable.snapshot === null && durable.entries.length === 0 && durable.hardState.term === 0;
  if (isNew && peers.length > 0) {
    await bootstrap(store, sm, peers);
    durable = await store.load();
  }
  const mem = new MemoryStorage();
  if (durable.snapshot) {
    mem.applySnapshot(durable.snapshot);
    await sm.restore(durable.snapshot.data);
  }
  mem.append(durable.entries);
  mem.setHardState(durable.hardState);
  return {
    mem,
    applied: durable.snapshot?.meta.index ?? 0,
    confState: mem.initialState().confState,
  };
}
