#!/usr/bin/env node
// Benchmark 6 (issue 8): memory footprint of a host's daemon, shoal vs the real Docker swarm, on a
// 1-manager + 1-worker swarm: every process in the host's namespace (shoald; dockerd plus the
// containerd it starts), idle after forming the swarm, then with N tasks in the store (a replicated
// service whose placement constraint no node meets, so its tasks stay pending in the store and no
// container runs). Not a test; prints figures and writes docs/charts/footprint.svg.
// Usage: node bench/footprint/run.mjs [--tasks 1000] [--settle-ms 5000] [--systems shoal,docker]
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../packages/cli/dist/src/cluster/index.js';
import { parseArgs, listOption } from '../lib/args.mjs';
import { hostMemory, mib } from '../lib/memory.mjs';
import { ratio, table } from '../lib/stats.mjs';
import { writeChart } from '../lib/svg.mjs';
import { SYSTEMS, startSystem } from '../lib/systems.mjs';

const opts = parseArgs(process.argv.slice(2), {
  tasks: 1000, 'settle-ms': 5000, systems: SYSTEMS.join(','),
  chart: fileURLToPath(new URL('../../docs/charts/footprint.svg', import.meta.url)),
});
const systems = listOption(opts.systems, SYSTEMS);

function pendingService(replicas) {
  return {
    Name: 'footprint',
    TaskTemplate: {
      ContainerSpec: { Image: 'busybox:latest', Command: ['sleep', '3600'] },
      Placement: { Constraints: ['node.labels.shoal-bench==nowhere'] },
    },
    Mode: { Replicated: { Replicas: replicas } },
  };
}

async function measure(kind) {
  const system = await startSystem(kind, { tag: 'fp', managers: 1, workers: 1 });
  try {
    const [manager, worker] = system.hosts;
    await sleep(opts['settle-ms']);
    const idle = { manager: hostMemory(manager), worker: hostMemory(worker) };
    const engine = system.engine(manager);
    const t0 = performance.now();
    const { ID } = await engine.request('POST', '/services/create', pendingService(opts.tasks));
    const filters = encodeURIComponent(JSON.stringify({ service: [ID] }));
    await waitFor(`${opts.tasks} tasks in the ${kind} store`, async () =>
      (await engine.request('GET', `/tasks?filters=${filters}`)).length >= opts.tasks ? true : undefined,
      { timeoutMs: 180_000, intervalMs: 500 });
    const createdMs = performance.now() - t0;
    await sleep(opts['settle-ms']);
    const loaded = { manager: hostMemory(manager), worker: hostMemory(worker) };
    process.stderr.write(`${kind}: ${opts.tasks} tasks in the store after ${(createdMs / 1000).toFixed(1)} s\n`);
    for (const [label, m] of Object.entries({ 'idle manager': idle.manager, 'idle worker': idle.worker, 'loaded manager': loaded.manager })) {
      process.stderr.write(`  ${label}: ${m.processes.map((p) => `${p.comm} ${mib(p.rssKb)} MiB`).join(' + ')}\n`);
    }
    return { idle, loaded, createdMs };
  } finally {
    await system.destroy();
  }
}

const results = {};
for (const kind of systems) {
  process.stderr.write(`--- ${kind}: bringing up 1 manager + 1 worker\n`);
  results[kind] = await measure(kind);
}

const cases = [
  ['worker, idle', (r) => r.idle.worker],
  ['manager, idle', (r) => r.idle.manager],
  [`manager, ${opts.tasks} tasks in the store`, (r) => r.loaded.manager],
  [`worker, ${opts.tasks} tasks in the store`, (r) => r.loaded.worker],
];
const [a, b] = systems;
const header = ['host', ...systems.flatMap((k) => [`${k} RSS MiB`, `${k} PSS MiB`])];
if (b !== undefined) header.push(`RSS ratio ${a}/${b}`);
const rows = cases.map(([label, pick]) => {
  const cells = [label, ...systems.flatMap((k) => [mib(pick(results[k]).rssKb), mib(pick(results[k]).pssKb)])];
  if (b !== undefined) cells.push(ratio(pick(results[a]).rssKb, pick(results[b]).rssKb));
  return cells;
});
console.log(`\nMemory of everything in a host's namespace (shoald; dockerd + containerd):\n`);
console.log(table(header, rows));
console.log(`\n${opts.tasks}-replica service accepted and all tasks in the store after: ${systems.map((k) => `${k} ${(results[k].createdMs / 1000).toFixed(2)} s`).join(', ')}`);

writeChart(opts.chart, {
  title: 'Daemon memory per host (RSS of every process in the host namespace)',
  unit: 'MiB (lower is better)',
  series: systems,
  groups: cases.map(([label, pick]) => ({ label, values: systems.map((k) => pick(results[k]).rssKb / 1024) })),
  note: `${new Date().toISOString().slice(0, 10)}, bench/footprint/run.mjs; shoal: shoald; docker: dockerd + containerd`,
});
console.log(`\nchart: ${opts.chart}`);
