// Faults on the real multi-process cluster, short fixed-seed version (SEED=n replays another schedule;
// `node bench/faults/run.mjs` runs the long one): 3 managers and a worker, four clients writing
// networks and services through different managers while managers and the worker are killed -9,
// the leader is paused past the election timeout, hosts are partitioned (minority, leader isolated,
// bridge, one-way) and a manager's disk goes read-only or full. After healing, every acknowledged
// write is there, nothing refused was applied, the allocator holds its invariants, services converge
// and no host keeps a process, mount, link or nftables table of the removed objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCluster } from '../src/index.js';
import { seedFromEnv } from '../src/fuzz/index.js';
import { formatFaultReport, runFaults } from '../src/faults/index.js';

const FIXED_SEED = 20_260_009;

test('acknowledged writes survive kill -9, pauses, partitions and disk faults; invariants hold; nothing leaks', { timeout: 480_000 }, async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 1, socketTimeoutMs: 30_000 });
  const seed = seedFromEnv(FIXED_SEED);
  t.diagnostic(`fault seed ${seed} (SEED=${seed} replays its schedule)`);
  const report = await runFaults({
    cluster,
    seed,
    durationMs: Number(process.env['FAULTS_DURATION_MS'] ?? 30_000),
    minFaults: 4,
    // Bounds on the end-of-run waits, each ending as soon as its condition holds; generous because CI
    // machines are slow and shared, and a miss is reported as a violation.
    settleMs: 60_000,
    log: (line) => t.diagnostic(line),
  });
  const text = formatFaultReport(report);
  for (const line of text.split('\n')) t.diagnostic(line);
  assert.ok(report.faults.length >= 4, text);
  assert.ok(report.operations.ok >= 20, text);
  assert.deepEqual(report.lostWrites, [], text);
  assert.deepEqual(report.violations, [], text);
});
