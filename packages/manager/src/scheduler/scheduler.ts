// The scheduler loop on the leader: after every commit, place the pending tasks.
import { commitEach } from '../orchestrator/commit.js';
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
      pass: async () => {
        await commitEach(host.commit, schedule(host.store, new Date(host.nowMs()).toISOString()).transactions());
        return undefined;
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
