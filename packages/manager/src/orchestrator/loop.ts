// The one shape of the leader's control loops: constructed with the store; run() reads the store and
// subscribes to it in one synchronous step, then runs a pass after every commit (passes never overlap;
// commits during a pass cause one more pass), and at the time a pass asked to be woken; stop() waits
// for the pass in progress. A pass that throws is a broken invariant: the loop stops and reports it.
// A loop may say which commits concern it: the rest cause no pass.
// Back-to-back passes are spaced by as long as the last one took (at most MAX_PAUSE_MS): a long pass
// then leaves the event loop at least half of the time for Raft ticks, heartbeats and requests, and
// the commits that land meanwhile are handled by one pass instead of one each.
import type { CommitEvent, MemoryStore } from '../store/memory-store.js';

const MAX_PAUSE_MS = 1000;

export interface LoopOptions {
  readonly name: string;
  readonly store: MemoryStore;
  /** One reaction to the current state; returns when it wants to run again even without a commit. */
  readonly pass: () => Promise<number | undefined>;
  /** Whether a commit can give the pass something to do (default: every commit does). */
  readonly wants?: (event: CommitEvent) => boolean;
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
  #lastPassMs = 0;
  #lastPassEndMs = 0;
  /** Ends the pause between two passes early (stop). */
  #endPause: (() => void) | null = null;

  constructor(opts: LoopOptions) {
    this.#opts = opts;
  }

  run(): void {
    if (this.#unsubscribe || this.#stopped) return;
    const wants = this.#opts.wants;
    this.#unsubscribe = this.#opts.store.subscribe((event) => {
      if (wants === undefined || wants(event)) this.#kick();
    });
    this.#kick();
  }

  /** Resolves once no pass is running; no pass starts afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#endPause?.();
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
      await this.#pause();
      if (this.#stopped) return;
      this.#dirty = false;
      let wakeAtMs: number | undefined;
      const startedMs = performance.now();
      try {
        wakeAtMs = await this.#opts.pass();
        this.#lastPassEndMs = performance.now();
        this.#lastPassMs = Math.min(this.#lastPassEndMs - startedMs, MAX_PAUSE_MS);
      } catch (err) {
        this.#stopped = true;
        this.#unsubscribe?.();
        this.#opts.onFatal(this.#opts.name, err);
        return;
      }
      if (wakeAtMs !== undefined) this.#wakeAt(wakeAtMs);
    }
  }

  /** One event-loop turn at least; until as long after the last pass as it took, if that is later. */
  #pause(): Promise<void> {
    const ms = this.#lastPassEndMs + this.#lastPassMs - performance.now();
    return new Promise((resolve) => {
      const cancel = ms >= 1 ? clearTimeout.bind(null, setTimeout(resolve, ms)) : clearImmediate.bind(null, setImmediate(resolve));
      this.#endPause = () => {
        cancel();
        resolve();
      };
    });
  }

  #wakeAt(atMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#kick(), Math.max(0, atMs - this.#opts.nowMs()) + 5);
    this.#timer.unref();
  }
}
