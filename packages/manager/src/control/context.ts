// What a control operation may use. Operations run on the leader, read the local store (which holds
// every committed write once the leader has applied its own term's entry) and write through Raft.
import type { StoreView } from '../store/memory-store.js';
import type { Action } from '../store/transaction.js';

export interface RaftMember {
  readonly nodeId: string;
  readonly reachable: boolean;
}

/** The live Raft view the API reports (MANAGER STATUS) and membership checks rely on. */
export interface RaftMembership {
  readonly leaderId: string | null;
  members(): readonly RaftMember[];
  addMember(nodeId: string): Promise<void>;
  removeMember(nodeId: string): Promise<void>;
}

export interface ControlContext {
  readonly view: StoreView;
  readonly raft: RaftMembership;
  /** Commits all actions atomically; throws ControlError when the store refuses them. */
  commit(actions: readonly Action[]): Promise<void>;
  now(): string;
  newId(): string;
}
