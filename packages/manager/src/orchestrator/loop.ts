// The one shape of the leader's control loops: constructed with the store; run() reads the store and
// subscribes to it in one synchronous step, then runs a pass after every commit (passes never overlap;
// commits during a pass cause one more pass), and at the time a pass asked to be woken; stop() waits
// for the pass in progress. A pass that throws is a broken invariant: the loop stops and reports it.
import type { MemoryStore } from '../store/memory-store.js';

export interface LoopOptions {
  readonly name: string;
  readonly store: MemoryStore;
  /** One reaction to the current state; returns when it wants to run again even without a commit. */
  readonly pass: () => Promise<number | undefined>;
  readonly nowMs: () => number;
  readonly onFatal: (name: string, err: unknown) => void;
}

export class ControlLoop {
  readonly #opts: LoopOptions;
  #unsubscribe: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #dirty = false;
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: LoopOptions) {
    this.#opts = opts;
  }

  run(): void {
    if (this.#unsubscribe || this.#stopped) return;
    this.#unsubscribe = this.#opts.store.subscribe(() => this.#kick());
    this.#kick();
  }

  /** Resolves once no pass is running; no pass starts afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** Resolves when no pass is pending or running (for tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #kick(): void {
    if (this.#stopped) return;
    this.#dirty = true;
    this.#running ??= this.#drain().finally(() => (this.#running = null));
  }

  async #drain(): Promise<void> {
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      let wakeAtMs: number | undefined;
      try {
        wakeAtMs = await this.#opts.pass();
      } catch (err) {
        this.#stopped = true;
        this.#unsubscribe?.();
        this.#opts.onFatal(this.#opts.name, err);
        return;
      }
      if (wakeAtMs !== undefined) this.#wakeAt(wakeAtMs);
    }
  }

  #wakeAt(atMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#kick(), Math.max(0, atMs - this.#opts.nowMs()) + 5);
    this.#timer.unref();
  }
}
