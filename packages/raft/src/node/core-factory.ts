// Builds the protocol core for a RaftNode from the node's compiled options.
import { RawNode } from '../core/rawnode.js';
import type { MemoryStorage } from '../core/storage.js';
import type { NodeId } from '../core/types.js';
import type { CompiledNodeOptions } from './options.js';

export type Core = RawNode;

export interface CoreArgs {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  /** The index the state machine already reflects; the core hands out committed entries after it. */
  readonly applied: number;
  readonly opts: CompiledNodeOptions;
}

export function createCore({ id, storage, applied, opts }: CoreArgs): Core {
  return new RawNode({
    ...opts.raft,
    id,
    storage,
    applied,
    electionTicks: opts.electionTicks,
    heartbeatTicks: opts.heartbeatTicks,
    random: opts.random,
  });
}
