// The pacing of an orchestration pass: it is a generator that pauses every STEP units of work (slots,
// nodes, tasks), so the leader can give its event loop a turn between steps — one pass over 100,000
// tasks is 1–2 s of CPU, longer than Raft's election timeout (bench/scale). Counting units, not time,
// keeps the pass deterministic: where it pauses changes nothing it decides.
import { setImmediate as nextTurn } from 'node:timers/promises';

export const STEP = 2_000;

export type Steps<T> = Generator<void, T>;

/** Counts units of work; due() is true once every STEP of them, where the pass pauses. */
export class Pacer {
  #units = 0;

  due(): boolean {
    if (++this.#units < STEP) return false;
    this.#units = 0;
    return true;
  }
}

/** Runs a paced computation, giving the event loop a turn at each pause. */
export async function runInTurns<T>(steps: Steps<T>): Promise<T> {
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** Runs a paced computation without pausing. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
