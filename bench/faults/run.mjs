#!/usr/bin/env node
// The long fault run (the soak version of e2e/test/faults.test.ts): a 3-manager, 2-worker cluster of
// namespace hosts, clients writing through different managers while the nemesis injects faults, then
// the checks. Prints operations run, faults injected, acknowledged writes lost and invariant
// violations; exits 1 unless the last two are 0.
// Usage: node bench/faults/run.mjs [--seed N] [--duration-s S] [--workers W] [--clients C] [--kinds a,b]
//        (needs root; build first: npx tsc -b)
import { parseArgs } from 'node:util';
import { createCluster, destroyCluster, logTail, startDaemons } from '../../packages/cli/dist/src/cluster/index.js';
import { FAULT_KINDS, formatFaultReport, runFaults } from '../../e2e/dist/src/faults/index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    'duration-s': { type: 'string', default: '300' },
    workers: { type: 'string', default: '2' },
    clients: { type: 'string', default: '4' },
    kinds: { type: 'string', default: FAULT_KINDS.join(',') },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const durationS = Number(values['duration-s']);
const kinds = values.kinds.split(',');
for (const k of kinds) if (!FAULT_KINDS.includes(k)) throw new Error(`unknown fault kind ${k}; kinds: ${FAULT_KINDS.join(', ')}`);
const name = `fl${process.pid % 10_000}`;

async function main() {
  process.stdout.write(`fault seed ${seed} (node bench/faults/run.mjs --seed ${seed} --duration-s ${durationS} replays its schedule)\n`);
  const started = Date.now();
  const cluster = await createCluster({ name, managers: 3, workers: Number(values.workers) });
  let ok = false;
  try {
    await startDaemons(cluster, { socketTimeoutMs: 30_000 });
    const report = await runFaults({
      cluster,
      seed,
      durationMs: durationS * 1000,
      clients: Number(values.clients),
      kinds,
      log: (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
    });
    process.stdout.write(`${formatFaultReport(report)}\n`);
    ok = report.lostWrites.length === 0 && report.violations.length === 0;
    return ok ? 0 : 1;
  } finally {
    if (!ok) for (const host of cluster.hosts) process.stderr.write(`\n===== ${host.name} =====\n${logTail(host, 40)}\n`);
    await destroyCluster(name, { graceMs: 3_000 });
  }
}

process.exitCode = await main();
