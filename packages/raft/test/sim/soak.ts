// Runs many seeds: `npm run soak -w @shoal/raft -- <count> [startSeed]`, or `SEED=n` to replay one.
// Prints one line per failure with the seed to replay it, and a summary.

import { describeFailure, runSeed } from './simulation.js';

function main(): number {
  // `node --test dist/test/` runs every .js file under test/, this one included: a soak is not a test.
  if (process.env['NODE_TEST_CONTEXT'] !== undefined) return 0;
  const replay = process.env['SEED'];
  if (replay !== undefined) {
    const r = runSeed(Number(replay));
    console.log(r.failure === null ? `seed ${r.seed} ok ${JSON.stringify(r.stats)}` : describeFailure(r));
    return r.failure === null ? 0 : 1;
  }
  const count = Number(process.argv[2] ?? '100');
  const start = Number(process.argv[3] ?? String(Date.now() % 1_000_000_000));
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(start)) {
    console.error('usage: soak <count> [startSeed]   or   SEED=n soak');
    return 2;
  }
  console.log(`soak: ${count} seeds from ${start}`);
  const failed: number[] = [];
  for (let seed = start; seed < start + count; seed++) {
    const r = runSeed(seed);
    if (r.failure === null) continue;
    failed.push(seed);
    console.log(describeFailure(r));
  }
  console.log(`soak: ran ${count}, failed ${failed.length}${failed.map((s) => `\n  replay: SEED=${s} node dist/test/sim/soak.js`).join('')}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main();
