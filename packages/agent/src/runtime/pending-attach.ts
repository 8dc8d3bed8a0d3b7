// Attaches that arrive before their container runs (`docker run` attaches, then starts): each waits
// here until start() has the container's shim listening and links it, or until it is given up.
import type { ProcessStdio } from './types.js';

export interface PendingAttach {
  /** Hands over the link; closes it instead when the attach was given up meanwhile. */
  resolve(stdio: ProcessStdio): void;
  reject(err: unknown): void;
}

export class PendingAttaches {
  readonly #waiting = new Map<string, Set<PendingAttach>>();

  /** Waits for a link to `id`'s stdio; rejects with the signal's reason when aborted. */
  add(id: string, signal: AbortSignal): Promise<ProcessStdio> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const set = this.#waiting.get(id) ?? new Set<PendingAttach>();
      this.#waiting.set(id, set);
      const settle = (): void => {
        set.delete(entry);
        if (set.size === 0 && this.#waiting.get(id) === set) this.#waiting.delete(id);
        signal.removeEventListener('abort', onAbort);
      };
      const entry: PendingAttach = {
        resolve: (stdio) => {
          settle();
          if (signal.aborted) stdio.close();
          else resolve(stdio);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      const onAbort = (): void => entry.reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      set.add(entry);
    });
  }

  /** The attaches waiting for `id`, now removed from here (the caller settles each). */
  take(id: string): PendingAttach[] {
    const set = this.#waiting.get(id);
    this.#waiting.delete(id);
    return [...(set ?? [])];
  }

  count(id: string): number {
    return this.#waiting.get(id)?.size ?? 0;
  }
}
