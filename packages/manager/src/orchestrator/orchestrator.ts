// The orchestrator loop on the leader: after every commit, one orchestration pass (replicated and
// global services, rolling updates, task addresses, clean-up), committed under the allocation lock so
// that no control operation allocates an address from the same store state at the same time.
import { withAllocationLock } from '../control/network-ops.js';
import type { MemoryStore } from '../store/memory-store.js';
import { commitEach, type Commit } from './commit.js';
import { orchestratorWants } from './interest.js';
import { ControlLoop } from './loop.js';
import { orchestrateInSteps } from './orchestrate.js';
import type { RolloutMemory } from './pass.js';
import { runInTurns } from './steps.js';

export interface LoopHost {
  readonly store: MemoryStore;
  readonly commit: Commit;
  readonly nowMs: () => number;
  readonly newId: () => string;
  readonly onFatal: (name: string, err: unknown) => void;
}

export class Orchestrator {
  readonly #loop: ControlLoop;
  readonly #rollout = new Map<string, RolloutMemory>();

  constructor(host: LoopHost) {
    this.#loop = new ControlLoop({
      name: 'orchestrator',
      store: host.store,
      nowMs: host.nowMs,
      onFatal: host.onFatal,
      wants: orchestratorWants(host.store),
      pass: () =>
        withAllocationLock(async () => {
          // Commits keep landing while the pass pauses: it reads the store as it was when it began, and
          // what changed since refuses the pass's writes by version.
          const plan = await runInTurns(orchestrateInSteps({ view: host.store.frozenView(), nowMs: host.nowMs(), newId: host.newId, rollout: this.#rollout }));
          // A refused write met a change the pass did not see, which may be one this loop does not
          // wake for (a status report): decide again at once rather than at the next commit of interest.
          const refused = await commitEach(host.commit, plan.transactions());
          return refused > 0 ? host.nowMs() : plan.wakeAtMs;
        }),
    });
  }

  run(): void {
    this.#loop.run();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  idle(): Promise<void> {
    return this.#loop.idle();
  }
}
