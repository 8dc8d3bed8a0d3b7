// The invariant checkers the simulator feeds on every step.

import { CommitMonotonic } from './commit-monotonic.js';
import { ElectionSafety } from './election-safety.js';
import { LeaderCompleteness } from './leader-completeness.js';
import { LogMatching } from './log-matching.js';
import { StateMachineSafety } from './state-machine-safety.js';

export { CommitMonotonic, ElectionSafety, LeaderCompleteness, LogMatching, StateMachineSafety };
export type { LogView } from './leader-completeness.js';
export type { WrittenEntry } from './log-matching.js';
export { InvariantViolation, entryDigest, fnv1a, type InvariantName } from './violation.js';

export interface Checkers {
  readonly electionSafety: ElectionSafety;
  readonly logMatching: LogMatching;
  readonly leaderCompleteness: LeaderCompleteness;
  readonly stateMachineSafety: StateMachineSafety;
  readonly commitMonotonic: CommitMonotonic;
}

export function newCheckers(): Checkers {
  return {
    electionSafety: new ElectionSafety(),
    logMatching: new LogMatching(),
    leaderCompleteness: new LeaderCompleteness(),
    stateMachineSafety: new StateMachineSafety(),
    commitMonotonic: new CommitMonotonic(),
  };
}
