// The scheduler loop on the leader: after every commit, place the pending tasks (a bounded number per
// pass; a pass that left some asks to run again at once).
import { commitEach } from '../orchestrator/commit.js';
import { schedulerWants } from '../orchestrator/interest.js';
import { ControlLoop } from '../orchestrator/loop.js';
import type { LoopHost } from '../orchestrator/orchestrator.js';
import { schedule } from './schedule.js';

export class Scheduler {
  readonly #loop: ControlLoop;

  constructor(host: LoopHost) {
    this.#loop = new ControlLoop({
      name: 'scheduler',
      store: host.store,
      nowMs: host.nowMs,
      onFatal: host.onFatal,
      wants: schedulerWants,
      pass: async () => {
        const plan = schedule(host.store, new Date(host.nowMs()).toISOString());
        await commitEach(host.commit, plan.transactions());
        return plan.wakeAtMs;
      },
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
