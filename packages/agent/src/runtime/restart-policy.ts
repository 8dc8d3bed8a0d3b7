// dockerd's restart manager for standalone containers (`docker run --restart`): whether an exit is
// followed by a start, and after how long. The runtime keeps one Backoff per container it may restart.
import type { RestartPolicy } from './types.js';

/** dockerd's first delay; each restart in a row doubles it, up to a minute. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A run at least this long starts the delays over. */
const RESET_AFTER_MS = 10_000;

export interface ExitFacts {
  readonly exitCode: number;
  /** `docker stop` or `docker kill` ended it (dockerd's HasBeenManuallyStopped). */
  readonly manuallyStopped: boolean;
  /** Restarts so far since the user's last start. */
  readonly restartCount: number;
}

/** dockerd's ShouldRestart: always; unless-stopped unless the user stopped it; on-failure on a non-zero exit, up to its count. */
export function shouldRestart(policy: RestartPolicy | undefined, exit: ExitFacts): boolean {
  switch (policy?.name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !exit.manuallyStopped;
    case 'on-failure': {
      const max = policy.maximumRetryCount ?? 0;
      return exit.exitCode !== 0 && (max === 0 || exit.restartCount < max);
    }
    default:
      return false;
  }
}

/** The delay before each restart: 100 ms, doubled each time, back to 100 ms after a run of 10 s. */
export class Backoff {
  #delayMs = 0;

  next(ranMs: number): number {
    if (ranMs >= RESET_AFTER_MS) this.#delayMs = 0;
    this.#delayMs = this.#delayMs === 0 ? FIRST_DELAY_MS : Math.min(this.#delayMs * 2, MAX_DELAY_MS);
    return this.#delayMs;
  }
}
