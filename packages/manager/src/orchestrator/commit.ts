// Commits a loop's transactions one by one. A refusal because the store changed under the pass (a
// version or name conflict, a deleted object) is expected: that change's commit runs the loop again.
import { ControlError } from '../control/errors.js';
import type { Action } from '../store/transaction.js';

export type Commit = (actions: readonly Action[]) => Promise<void>;

const RETRYABLE = new Set(['conflict', 'not-found', 'internal']);

export async function commitEach(commit: Commit, transactions: readonly (readonly Action[])[]): Promise<number> {
  let refused = 0;
  for (const actions of transactions) {
    try {
      await commit(actions);
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      // Not the leader any more, or no quorum: the manager stops the loops; nothing to do here.
      if (!RETRYABLE.has(err.code) && err.code !== 'unavailable') throw err;
      refused++;
    }
  }
  return refused;
}
