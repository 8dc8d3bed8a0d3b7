#!/usr/bin/env node
// The long Engine API fuzz run (the soak version of e2e/test/fuzz-api.test.ts): a one-manager swarm and
// a spare daemon on namespace hosts, `cases` seeded hostile requests, then the report (figures for
// docs/reliability.md). Exits 1 on any finding, crash, hang or stored half-valid object.
// Usage: node bench/fuzz/run.mjs [cases=5000] [seed=random]   (needs root; build first: npx tsc -b)
import { createCluster, destroyCluster, startDaemons } from '../../packages/cli/dist/src/cluster/index.js';
import { formatReport, fuzzSetup, runFuzz } from '../../e2e/dist/src/fuzz/index.js';

const cases = Number(process.argv[2] ?? 5_000);
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) : Math.floor(Math.random() * 2 ** 31);
const name = `fz${process.pid % 10_000}`;

async function main() {
  process.stdout.write(`fuzz seed ${seed} (node bench/fuzz/run.mjs ${cases} ${seed} replays it)\n`);
  const cluster = await createCluster({ name, managers: 2, workers: 0 });
  try {
    await startDaemons(cluster);
    const target = await fuzzSetup(cluster);
    const report = await runFuzz({ seed, cases, manager: target.manager, spare: target.spare, log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(`${formatReport(report)}\n`);
    const bad = report.crashes + report.hangs + report.findings.length + report.storedProblems.length;
    return bad === 0 ? 0 : 1;
  } finally {
    await destroyCluster(name, { graceMs: 3_000 });
  }
}

process.exitCode = await main();
