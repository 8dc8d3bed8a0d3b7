// The Engine API under hostile input, on a live one-manager swarm and a spare daemon outside any swarm:
// a short fixed-seed fuzz run (SEED=n replays another) where every reply must be a 2xx or a JSON 4xx
// (501/503 only as documented refusals), no daemon may crash or hang, no half-valid object may be
// stored, and memory stays bounded. `node bench/fuzz/run.mjs` runs the long version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCluster } from '../src/index.js';
import { formatReport, fuzzSetup, runFuzz, seedFromEnv } from '../src/fuzz/index.js';

const FIXED_SEED = 20_260_001;
const CASES = Number(process.env['FUZZ_CASES'] ?? 600);

test('the Engine API answers hostile requests with JSON 4xx, never crashes, hangs or stores half-valid objects', async (t) => {
  const cluster = await withCluster(t, { managers: 2 });
  const target = await fuzzSetup(cluster);
  const seed = seedFromEnv(FIXED_SEED);
  t.diagnostic(`fuzz seed ${seed} (SEED=${seed} replays it)`);
  const report = await runFuzz({ seed, cases: CASES, manager: target.manager, spare: target.spare, log: (line) => t.diagnostic(line) });
  const text = formatReport(report);
  for (const line of text.split('\n')) t.diagnostic(line);

  assert.equal(report.crashes, 0, text);
  assert.equal(report.hangs, 0, text);
  assert.deepEqual(report.findings, [], text);
  assert.deepEqual(report.storedProblems, [], text);
  assert.equal(report.responses500, 0, text);
  // Bounded memory: what a run leaves behind (stored networks, caches) is small next to a leak of the
  // huge bodies the fuzzer sent (hundreds of MiB over the run).
  assert.ok(report.rssKb.manager.after < report.rssKb.manager.before + 150 * 1024, text);
  assert.ok(report.rssKb.spare.after < report.rssKb.spare.before + 150 * 1024, text);
});
