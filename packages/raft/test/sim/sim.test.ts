// The seeded simulation over a fixed set of seeds (each run prints its seed; `SEED=n node
// dist/test/sim/soak.js` replays one), plus proof that it notices real driver bugs and that a seed
// replays exactly.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Sabotage } from './options.js';
import { describeFailure, runSeed } from './simulation.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('raft simulation', () => {
  for (const seed of SEEDS) {
    it(`keeps every invariant and a linearizable history (seed ${seed})`, () => {
      const r = runSeed(seed);
      assert.equal(r.failure, null, describeFailure(r));
      assert.ok(r.stats.opsOk > 0, `seed ${seed}: no operation succeeded`);
    });
  }

  it('replays a seed exactly', () => {
    const a = runSeed(7);
    const b = runSeed(7);
    assert.deepEqual(b, a);
  });

  it('exercises crashes, partitions, membership changes and snapshot installs across the seed set', () => {
    const seen = new Set<string>();
    for (const seed of SEEDS.slice(0, 10)) for (const [event, n] of Object.entries(runSeed(seed).stats.events)) if (n > 0) seen.add(event);
    for (const event of ['crash', 'election', 'partition-symmetric', 'partition-asymmetric', 'partition-isolate-leader', 'propose-add-learner',
      'propose-add-voter', 'member-removed', 'transfer', 'snapshot-taken', 'snapshot-installed'])
      assert.ok(seen.has(event), `no seed produced ${event}; saw ${[...seen].join(', ')}`);
  });

  const sabotages: { sabotage: Sabotage; catches: RegExp }[] = [
    { sabotage: 'local-reads', catches: /^linearizability: / },
    { sabotage: 'no-fsync', catches: /RaftInvariantError|InvariantViolation|linearizability|liveness/ },
  ];
  for (const { sabotage, catches } of sabotages) {
    it(`catches a driver that has the bug '${sabotage}' within 20 seeds`, () => {
      let failure: string | null = null;
      for (const seed of SEEDS.slice(0, 20)) if ((failure = runSeed(seed, { sabotage }).failure) !== null) break;
      assert.ok(failure !== null, `no seed noticed '${sabotage}'`);
      assert.match(failure, catches);
    });
  }
});
