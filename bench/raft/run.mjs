#!/usr/bin/env node
// Side-by-side put benchmark: a 3-member shoal Raft cluster (RaftNode + LevelLogStore) and a 3-member
// etcd, each as real processes on 127.0.0.1 with default fsync behaviour, driven by the same
// closed-loop HTTP load. With --rounds N the two systems take turns N times (fresh clusters each round)
// and the table shows each figure's median over the rounds, as this machine's noise moves single runs.
// Each scenario first runs unmeasured for --warmup-ms (both systems): shoal's members are JIT-compiled
// and a manager runs for days, so the steady state is what counts; with 0.5 s, the first scenario on a
// fresh cluster measured V8 still optimising (1 client: 0.80–0.87× etcd cold, 1.15–1.25× warm).
// Usage: npm run bench:raft [-- --duration-ms 5000 --warmup-ms 3000 --clients 1,16,128 --rounds 1 --only shoal|etcd --cpu-prof DIR]
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureEtcd, startEtcd, startShoal } from './cluster.mjs';
import { runLoad } from './load.mjs';

const { values: args } = parseArgs({
  options: { 'duration-ms': { type: 'string', default: '5000' }, 'warmup-ms': { type: 'string', default: '3000' }, rounds: { type: 'string', default: '1' }, clients: { type: 'string', default: '1,16,128' }, only: { type: 'string' }, 'cpu-prof': { type: 'string' } },
});
const durationMs = Number(args['duration-ms']);
const warmupMs = Number(args['warmup-ms']);
const SCENARIOS = args.clients.split(',').map(Number);
const ROUNDS = Number(args.rounds);
const systems = args.only ? [args.only] : ['shoal', 'etcd'];

const root = await mkdtemp(join(tmpdir(), 'shoal-bench-raft-'));
let stopCurrent = async () => {};
async function cleanup() {
  await stopCurrent();
  await rm(root, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => cleanup().finally(() => process.exit(130)));

async function measure(name, start) {
  const cluster = await start();
  stopCurrent = cluster.stop;
  const results = [];
  try {
    for (const clients of SCENARIOS) {
      const r = await runLoad({ port: cluster.leaderPort, clients, durationMs, warmupMs });
      console.error(`${name.padEnd(5)} clients=${String(clients).padStart(3)}  ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}`);
      results.push(r);
    }
  } finally {
    await cluster.stop();
    stopCurrent = async () => {};
  }
  return results;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Per scenario, the median of each figure over the rounds. */
function medians(rounds) {
  return SCENARIOS.map((_, k) => {
    const runs = rounds.map((r) => r[k]);
    return { opsPerSec: median(runs.map((r) => r.opsPerSec)), p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)) };
  });
}

try {
  const rounds = { shoal: [], etcd: [] };
  if (systems.includes('etcd')) ensureEtcd();
  for (let round = 0; round < ROUNDS; round++) {
    if (systems.includes('shoal')) rounds.shoal.push(await measure('shoal', () => startShoal(join(root, `r${round}`), { cpuProfDir: args['cpu-prof'] })));
    if (systems.includes('etcd')) rounds.etcd.push(await measure('etcd', () => startEtcd(join(root, `r${round}`))));
  }
  const results = Object.fromEntries(Object.entries(rounds).filter(([, r]) => r.length > 0).map(([name, r]) => [name, medians(r)]));
  console.log(`\nmachine: ${cpus().length} CPUs, Linux ${release()}, node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`3 members each on 127.0.0.1, 200-byte values, ${durationMs} ms per scenario after ${warmupMs} ms of warm-up, median of ${ROUNDS} round(s)\n`);
  console.log('clients | shoal ops/s | etcd ops/s | ratio | shoal p50/p99 ms | etcd p50/p99 ms | ratio p50');
  SCENARIOS.forEach((clients, k) => {
    const s = results.shoal?.[k];
    const e = results.etcd?.[k];
    const fmt = (r) => (r ? `${r.p50Ms.toFixed(2)} / ${r.p99Ms.toFixed(2)}` : '-');
    const ratio = s && e ? (s.opsPerSec / e.opsPerSec).toFixed(2) : '-';
    const latRatio = s && e ? (s.p50Ms / e.p50Ms).toFixed(2) : '-';
    console.log(`${String(clients).padStart(7)} | ${(s?.opsPerSec.toFixed(0) ?? '-').padStart(11)} | ${(e?.opsPerSec.toFixed(0) ?? '-').padStart(10)} | ${ratio.padStart(5)} | ${fmt(s).padStart(16)} | ${fmt(e).padStart(15)} | ${latRatio}`);
  });
} finally {
  await cleanup();
}
