#!/usr/bin/env node
// Benchmark 1 (issue 8): control-plane writes through the Engine API on a 3-manager swarm, shoal and
// the real Docker swarm side by side in one run. Each client loops "create an overlay network, remove
// it" over a keep-alive connection to one manager's unix socket (the leader by default); figures are
// ops/s (creates + removes) and the latency of each kind. Not a test; prints figures and writes
// docs/charts/control-plane.svg.
// Usage: node bench/control-plane/run.mjs [--clients 1,16] [--duration-ms 5000] [--warmup-ms 500]
//        [--systems shoal,docker] [--via leader|follower] [--cpu-prof DIR] [--chart PATH]
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, listOption } from '../lib/args.mjs';
import { Engine } from '../lib/engine.mjs';
import { summarize, ms, ratio, table } from '../lib/stats.mjs';
import { writeChart } from '../lib/svg.mjs';
import { SYSTEMS, startSystem, waitForLeader } from '../lib/systems.mjs';

const opts = parseArgs(process.argv.slice(2), {
  clients: '1,16', 'duration-ms': 5000, 'warmup-ms': 500, systems: SYSTEMS.join(','), via: 'leader', 'cpu-prof': '',
  chart: fileURLToPath(new URL('../../docs/charts/control-plane.svg', import.meta.url)),
});
const clientCounts = String(opts.clients).split(',').map(Number);
const systems = listOption(opts.systems, SYSTEMS);
if (!['leader', 'follower'].includes(opts.via)) throw new Error('--via is leader or follower');

/** `clients` closed loops of create+rm for `durationMs` after `warmupMs`; only the measured window counts. */
async function load(socket, clients, { durationMs, warmupMs, tag }) {
  const creates = [];
  const removes = [];
  let measuring = false;
  let stop = false;
  let errors = 0;
  const loop = async (c) => {
    const engine = new Engine(socket, { timeoutMs: 30_000 });
    try {
      for (let i = 0; !stop; i++) {
        const t0 = performance.now();
        let created;
        try {
          created = await engine.createNetwork(`${tag}-${c}-${i}`);
        } catch {
          errors++;
          continue;
        }
        const t1 = performance.now();
        await engine.removeNetwork(created.Id).catch(() => errors++);
        const t2 = performance.now();
        if (measuring && !stop) {
          creates.push(t1 - t0);
          removes.push(t2 - t1);
        }
      }
    } finally {
      engine.close();
    }
  };
  const loops = Array.from({ length: clients }, (_, c) => loop(c));
  await sleep(warmupMs);
  measuring = true;
  const start = performance.now();
  await sleep(durationMs);
  stop = true;
  const elapsed = performance.now() - start;
  await Promise.all(loops);
  return { clients, opsPerSec: (creates.length + removes.length) / (elapsed / 1000), create: summarize(creates), remove: summarize(removes), errors };
}

async function measure(kind) {
  const system = await startSystem(kind, { tag: 'cp', cpuProfDir: opts['cpu-prof'] || undefined });
  try {
    const leader = await waitForLeader(system);
    const target = opts.via === 'leader' ? leader : system.hosts.find((h) => h !== leader && h.role === 'manager');
    const results = [];
    for (const clients of clientCounts) {
      const r = await load(target.socket, clients, { durationMs: opts['duration-ms'], warmupMs: opts['warmup-ms'], tag: `cp${clients}` });
      process.stderr.write(`${kind}, ${clients} client(s) via ${opts.via}: ${r.opsPerSec.toFixed(0)} ops/s, create p50 ${ms(r.create.p50)} ms${r.errors ? `, ${r.errors} errors` : ''}\n`);
      results.push(r);
    }
    return results;
  } finally {
    await system.destroy();
  }
}

const results = {};
for (const kind of systems) {
  process.stderr.write(`--- ${kind}: bringing up 3 managers\n`);
  results[kind] = await measure(kind);
}

const [a, b] = systems;
const rows = clientCounts.map((clients, i) => {
  const cells = [String(clients)];
  for (const kind of systems) cells.push(results[kind][i].opsPerSec.toFixed(0));
  if (b !== undefined) cells.push(ratio(results[a][i].opsPerSec, results[b][i].opsPerSec));
  for (const kind of systems) {
    const r = results[kind][i];
    cells.push(`${ms(r.create.p50)} / ${ms(r.create.p99)}`, `${ms(r.remove.p50)} / ${ms(r.remove.p99)}`);
  }
  return cells;
});
const header = ['clients', ...systems.map((k) => `${k} ops/s`)];
if (b !== undefined) header.push(`ratio ${a}/${b}`);
for (const kind of systems) header.push(`${kind} create p50/p99 ms`, `${kind} rm p50/p99 ms`);
console.log(`\nControl-plane writes (overlay network create + rm) via the ${opts.via}, 3 managers, ${opts['duration-ms']} ms per scenario:\n`);
console.log(table(header, rows));
for (const [kind, rs] of Object.entries(results)) for (const r of rs) if (r.errors) console.log(`${kind}, ${r.clients} clients: ${r.errors} failed requests`);

writeChart(opts.chart, {
  title: `Network create + rm through the Engine API (3 managers, via ${opts.via})`,
  unit: 'ops/s (higher is better)',
  series: systems,
  groups: clientCounts.map((clients, i) => ({ label: `${clients} client${clients > 1 ? 's' : ''}`, values: systems.map((k) => results[k][i].opsPerSec) })),
  note: `${new Date().toISOString().slice(0, 10)}, bench/control-plane/run.mjs`,
});
console.log(`\nchart: ${opts.chart}`);
