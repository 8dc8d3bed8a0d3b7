// Commits a loop's transactions one by one, giving the event loop a turn between them so that Raft
// ticks, heartbeats and other requests are served while a large pass lands. A refusal because the
// store changed under the pass (a version or name conflict, a deleted object) is expected: that
// change's commit runs the loop again.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ControlError } from '../control/errors.js';
import type { Action } from '../store/transaction.js';

export type Commit = (actions: readonly Action[]) => Promise<void>;

const RETRYABLE = new Set(['conflict', 'not-found', 'internal']);

/** How many transactions met a concurrent change and were refused (not counting those a lost quorum stopped). */
export async function commitEach(commit: Commit, transactions: readonly (readonly Action[])[]): Promise<number> {
  let refused = 0;
  for (const [i, actions] of transactions.entries()) {
    if (i > 0) await nextTurn();
    try {
      await commit(actions);
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      // Not the leader any more, or no quorum: the manager stops the loops; the rest would fail too.
      if (err.code === 'unavailable') return refused;
      if (!RETRYABLE.has(err.code)) throw err;
      refused++;
    }
  }
  return refused;
}
