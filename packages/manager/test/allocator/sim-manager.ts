// A leader for allocation simulations: a MemoryStore whose commits apply at once, deterministic IDs
// and time from a seeded PRNG, and failover as "a new leader restores the replicated state".
import type { ControlContext } from '../../src/control/context.js';
import { ControlError } from '../../src/control/errors.js';
import { StoreError } from '../../src/store/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Action } from '../../src/store/transaction.js';

export const SIM_TIME = '2030-01-15T12:00:00.000Z';

/** mulberry32: a small seeded PRNG, enough to replay a run from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimManager {
  readonly store = new MemoryStore();
  #index = 0;
  readonly #random: () => number;
  readonly ctx: ControlContext;

  constructor(random: () => number) {
    this.#random = random;
    this.ctx = {
      view: this.store,
      raft: { leaderId: 'leader', members: () => [], addMember: async () => {}, removeMember: async () => {} },
      commit: async (actions) => this.commit(actions),
      now: () => SIM_TIME,
      newId: () => this.newId(),
    };
  }

  newId(): string {
    let id = '';
    while (id.length < 25) id += Math.floor(this.#random() * 36).toString(36);
    return id;
  }

  commit(actions: readonly Action[]): void {
    const result = this.store.apply(++this.#index, { actions, time: SIM_TIME });
    if (!result.ok) throw new ControlError('conflict', new StoreError(result.refusal).message);
  }

  /** A new leader: the same replicated state, none of the old leader's memory. */
  failover(): SimManager {
    const next = new SimManager(this.#random);
    next.store.restore(this.store.snapshot());
    next.#index = this.#index;
    return next;
  }
}
