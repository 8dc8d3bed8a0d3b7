// The control loops that run only on the Raft leader (orchestrator, scheduler, key manager): started when this
// manager becomes leader, once its store holds everything committed before (a read index), and
// stopped, waiting for their passes, when it loses leadership or shuts down.
import type { MemoryStore } from '../store/memory-store.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { KeyManager } from '../keys/key-manager.js';
import type { Commit } from './commit.js';
import { Orchestrator, type LoopHost } from './orchestrator.js';

export interface LeaderLoopsHost {
  readonly store: MemoryStore;
  readonly commit: Commit;
  readonly newId: () => string;
  readonly nowMs: () => number;
  /** Resolves once the local store has applied everything committed before the call. */
  readonly readIndex: () => Promise<void>;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export class LeaderLoops {
  readonly #host: LeaderLoopsHost;
  #loops: { orchestrator: Orchestrator; scheduler: Scheduler; keys: KeyManager } | null = null;
  #queue: Promise<void> = Promise.resolve();
  #leader = false;
  #closed = false;

  constructor(host: LeaderLoopsHost) {
    this.#host = host;
  }

  leaderChanged(isLeader: boolean): void {
    if (isLeader === this.#leader) return;
    this.#leader = isLeader;
    this.#queue = this.#queue.then(() => (isLeader ? this.#start() : this.#stop())).catch((err) =>
      this.#host.log('error', 'leader loops failed to change state', { err: String(err) }),
    );
  }

  async stop(): Promise<void> {
    this.#closed = true;
    this.#leader = false;
    this.#queue = this.#queue.then(() => this.#stop());
    await this.#queue;
  }

  async #start(): Promise<void> {
    if (this.#loops || this.#closed || !this.#leader) return;
    // The first read index of a new term can fail (entries of the old term still settling): retry while leader.
    for (;;) {
      if (this.#closed || !this.#leader) return;
      try {
        await this.#host.readIndex();
        break;
      } catch (err) {
        this.#host.log('debug', 'waiting for the store to catch up before starting the loops', { err: String(err) });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const host: LoopHost = {
      ...this.#host,
      onFatal: (name, err) => this.#host.log('error', 'control loop stopped on a broken invariant', { loop: name, err: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    };
    this.#loops = { orchestrator: new Orchestrator(host), scheduler: new Scheduler(host), keys: new KeyManager(host) };
    this.#loops.orchestrator.run();
    this.#loops.scheduler.run();
    this.#loops.keys.run();
    this.#host.log('info', 'orchestrator and scheduler started');
  }

  async #stop(): Promise<void> {
    const loops = this.#loops;
    this.#loops = null;
    if (!loops) return;
    await Promise.all([loops.orchestrator.stop(), loops.scheduler.stop(), loops.keys.stop()]);
    this.#host.log('info', 'orchestrator and scheduler stopped');
  }
}
