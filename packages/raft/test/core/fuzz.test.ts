// Randomized safety and liveness checks. A failure names its seed; SEED=n replays that run alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FuzzCluster } from './fuzz-cluster.js';

const only = process.env['SEED'];
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: 100 }, (_, i) => i + 1);

test('randomized clusters keep Raft safety under loss, reordering, partitions, restarts and membership changes', () => {
  const total = { snapshotsInstalled: 0, confChangesApplied: 0, terms: 0 };
  for (const seed of seeds) {
    const cluster = new FuzzCluster({ seed, steps: 5000, dropRate: 0.1 });
    cluster.run();
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += cluster.coverage[k];
  }
  if (only === undefined) {
    // Guards the harness itself: faults that never reach these paths would prove nothing.
    assert.ok(total.snapshotsInstalled > 0 && total.confChangesApplied > 0 && total.terms > seeds.length, JSON.stringify(total));
  }
});
