// Every fault odd and workload knob of a simulation run, in one typed object. A run's options are
// drawn from its seed ("swarm testing"): some seeds are calm, some drop a third of all packets, so
// a fixed set of seeds covers more corners than one fixed mix would.

import type { Prng } from './prng.js';

/**
 * A deliberate driver bug, only for the self-test that shows the simulation catches real mistakes:
 * 'local-reads' serves reads from the local state machine without ReadIndex; 'no-fsync' never makes
 * writes durable, so a crash forgets votes and acknowledged entries.
 */
export type Sabotage = 'none' | 'local-reads' | 'no-fsync';

export interface SimOptions {
  /** Voters at bootstrap. */
  readonly nodeCount: number;
  /** Upper bound on members (voters + learners) while membership changes run. */
  readonly nodeCountMax: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Virtual milliseconds per Raft tick. */
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;

  readonly dropProbability: number;
  readonly delayMsMin: number;
  readonly delayMsMax: number;
  /** A reordered message gets an extra delay on top of delayMsMax, so later messages overtake it. */
  readonly reorderProbability: number;
  readonly reorderDelayMsMax: number;
  readonly duplicateProbability: number;

  /** Per virtual second, the odds that a partition starts while none is active. */
  readonly partitionPerSecond: number;
  readonly partitionMsMin: number;
  readonly partitionMsMax: number;
  /** Per virtual second, the odds that a live node crashes. */
  readonly crashPerSecond: number;
  readonly downMsMin: number;
  readonly downMsMax: number;
  /** fsync completes this long after the write (uniform in [0, max]); a crash before then loses the write. */
  readonly fsyncMsMax: number;
  /** Per virtual second, the odds that the leader is asked for a membership change. */
  readonly membershipPerSecond: number;
  /** Per virtual second, the odds that the leader is asked to transfer leadership. */
  readonly transferPerSecond: number;

  /** A node snapshots once it has applied this many entries past its last snapshot. */
  readonly snapshotEveryEntries: number;
  /** Entries kept behind a snapshot; small values force lagging followers onto InstallSnapshot. */
  readonly compactKeepEntries: number;

  readonly clients: number;
  readonly keys: number;
  readonly clientTimeoutMs: number;
  /** Think time between one operation's end and the client's next invocation. */
  readonly clientPauseMsMax: number;

  readonly sabotage: Sabotage;

  /** Faults run for this long... */
  readonly faultMs: number;
  /** ...then the network heals, every node restarts, and the cluster must settle within this long. */
  readonly quiescentMs: number;
}

export const DEFAULT_OPTIONS: SimOptions = {
  nodeCount: 3,
  nodeCountMax: 7,
  preVote: true,
  checkQuorum: true,
  tickMs: 10,
  electionTicks: 10,
  heartbeatTicks: 1,
  dropProbability: 0.02,
  delayMsMin: 1,
  delayMsMax: 8,
  reorderProbability: 0.05,
  reorderDelayMsMax: 40,
  duplicateProbability: 0.02,
  partitionPerSecond: 0.3,
  partitionMsMin: 200,
  partitionMsMax: 2000,
  crashPerSecond: 0.2,
  downMsMin: 50,
  downMsMax: 1500,
  fsyncMsMax: 3,
  membershipPerSecond: 0.2,
  transferPerSecond: 0.1,
  snapshotEveryEntries: 40,
  compactKeepEntries: 5,
  clients: 4,
  keys: 3,
  clientTimeoutMs: 400,
  clientPauseMsMax: 20,
  sabotage: 'none',
  faultMs: 8000,
  quiescentMs: 3000,
};

/** Draws one run's options from its seed, within ranges where a correct Raft must stay safe and live. */
export function drawOptions(rng: Prng, base: SimOptions = DEFAULT_OPTIONS): SimOptions {
  const nodeCount = rng.int(3, 7);
  const electionTicks = rng.int(8, 15);
  return {
    ...base,
    nodeCount,
    nodeCountMax: Math.max(nodeCount, base.nodeCountMax),
    preVote: rng.chance(0.7),
    checkQuorum: rng.chance(0.7),
    electionTicks,
    heartbeatTicks: rng.int(1, 3),
    dropProbability: rng.pick([0, 0.01, 0.05, 0.15, 0.3]),
    delayMsMax: rng.int(2, 30),
    reorderProbability: rng.pick([0, 0.05, 0.2]),
    duplicateProbability: rng.pick([0, 0.02, 0.1]),
    partitionPerSecond: rng.pick([0, 0.3, 1]),
    crashPerSecond: rng.pick([0, 0.2, 0.8]),
    fsyncMsMax: rng.int(0, 5),
    membershipPerSecond: rng.pick([0, 0.2, 0.6]),
    transferPerSecond: rng.pick([0, 0.1, 0.4]),
    snapshotEveryEntries: rng.pick([10, 40, 200]),
    compactKeepEntries: rng.pick([0, 5, 50]),
    clients: rng.int(2, 5),
    keys: rng.int(1, 4),
  };
}
