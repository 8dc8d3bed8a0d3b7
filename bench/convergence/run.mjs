#!/usr/bin/env node
// Benchmark 3 (issue 8): convergence of real containers, shoal and the real Docker swarm side by side,
// on 5 namespace hosts (3 managers + 2 workers), the busybox image loaded on every host. For each size:
//  1. `service create` of N replicas of busybox `sleep 3600` → time until all N tasks with desired
//     state running report Status.State "running" (GET /tasks, polled through the first manager);
//  2. `service rm` → time until no task of the service is left in GET /tasks and no host lists a
//     container of the service (GET /containers/json?all=1 on every host's own socket).
// Every wait is bounded; a size that does not converge within its bound is reported as such.
// Not a test; prints figures and writes docs/charts/convergence.svg.
// Usage: node bench/convergence/run.mjs [--replicas 10,100,1000] [--timeout-s 900] [--poll-ms 500]
//        [--systems shoal,docker] [--cpu-prof DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { daemonPid, loadTestImage, logTail, writeBusyboxSaveTar } from '../../packages/cli/dist/src/cluster/index.js';
import { parseArgs, listOption } from '../lib/args.mjs';
import { cpuBetween, hostCpu } from '../lib/cpu.mjs';
import { hostMemory } from '../lib/memory.mjs';
import { ratio, secs, table } from '../lib/stats.mjs';
import { writeChart } from '../lib/svg.mjs';
import { SYSTEMS, startSystem } from '../lib/systems.mjs';

const opts = parseArgs(process.argv.slice(2), {
  replicas: '10,100,1000', 'timeout-s': 900, 'poll-ms': 500, systems: SYSTEMS.join(','), 'cpu-prof': '',
  chart: fileURLToPath(new URL('../../docs/charts/convergence.svg', import.meta.url)),
});
const systems = listOption(opts.systems, SYSTEMS);
const sizes = String(opts.replicas).split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--replicas takes positive integers: ${opts.replicas}`);
const timeoutMs = opts['timeout-s'] * 1000;

function sleepService(name, replicas) {
  return {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'busybox:latest', Command: ['sleep', '3600'] } },
    Mode: { Replicated: { Replicas: replicas } },
  };
}

const q = (filters) => encodeURIComponent(JSON.stringify(filters));

/** The first line of a dead daemon's log tail that says why it stopped (or the last line). */
function deathNote(host) {
  const lines = logTail(host, 40).split('\n').filter((l) => l.trim() !== '');
  const why = lines.find((l) => /Error|level=error|FATAL/.test(l)) ?? lines.at(-1) ?? '(empty log)';
  return `${host.name}'s daemon exited: ${why.trim().slice(0, 200)}`;
}

/**
 * Polls `probe` (which returns a progress figure and whether it is done) every --poll-ms until it is
 * done, `timeoutMs` has passed, or a daemon of the system has exited. Returns the elapsed ms
 * (undefined when it did not finish) and the last progress; progress is printed about every 10 s, so
 * a run that does not converge shows how far it got.
 */
async function timeUntil(system, label, start, probe) {
  let lastNote = 0;
  let progress;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed > timeoutMs) return { ms: undefined, progress };
    const dead = system.hosts.find((h) => daemonPid(h) === undefined);
    if (dead !== undefined) return { ms: undefined, progress: `${progress}; ${deathNote(dead)}` };
    try {
      const r = await probe();
      progress = r.progress;
      if (r.done) return { ms: performance.now() - start, progress };
    } catch (err) {
      progress = `error: ${err.message.slice(0, 160)}`; // no manager answered within the request bound
    }
    if (elapsed - lastNote >= 10_000) {
      lastNote = elapsed;
      process.stderr.write(`  ${label}: ${(elapsed / 1000).toFixed(0)} s: ${progress}\n`);
    }
    await sleep(opts['poll-ms']);
  }
}

/** GET `path` through the first manager that answers (a manager may be busy electing or gone). */
async function askManagers(system, path) {
  let last;
  for (const h of system.hosts.filter((x) => x.role === 'manager')) {
    try {
      return await system.engine(h).request('GET', path);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

async function converge(system, n) {
  const manager = system.hosts[0];
  const cpu0 = system.hosts.map(hostCpu);
  const start = performance.now();
  const { ID } = await system.engine(manager).request('POST', '/services/create', sleepService(`conv${n}`, n));
  const up = await timeUntil(system, `${system.kind} ${n} up`, start, async () => {
    const tasks = await askManagers(system, `/tasks?filters=${q({ service: [ID], 'desired-state': ['running'] })}`);
    const running = tasks.filter((t) => t.Status.State === 'running').length;
    return { progress: `${running}/${n} running`, done: running === n };
  });
  const cpuUpS = system.hosts.reduce((s, h, i) => s + cpuBetween(cpu0[i], hostCpu(h)), 0);
  // PSS: the per-container supervisors share their binary's pages; RSS would count them once per process.
  const hostPssMiB = system.hosts.reduce((s, h) => s + hostMemory(h).pssKb, 0) / 1024;
  process.stderr.write(`${system.kind}: ${n} replicas: ${up.ms === undefined ? `not all running (${up.progress})` : `all running after ${secs(up.ms)}`}; ` +
    `${cpuUpS.toFixed(1)} CPU s, ${hostPssMiB.toFixed(0)} MiB PSS in the hosts' namespaces\n`);
  if (system.hosts.some((h) => daemonPid(h) === undefined)) return { upMs: up.ms, upProgress: up.progress, downProgress: 'not tried', cpuUpS, hostPssMiB };

  const rmStart = performance.now();
  await askManagers(system, '/_ping'); // some manager is up; the remove goes through it
  const via = system.hosts.find((h) => h.role === 'manager' && daemonPid(h) !== undefined);
  await system.engine(via).request('DELETE', `/services/${ID}`);
  // The task list is unfiltered: docker refuses a service filter naming a service that no longer exists.
  const label = q({ label: [`com.docker.swarm.service.id=${ID}`] });
  const down = await timeUntil(system, `${system.kind} ${n} rm`, rmStart, async () => {
    const tasks = (await askManagers(system, '/tasks')).filter((t) => t.ServiceID === ID).length;
    let containers = 0;
    for (const h of system.hosts) containers += (await system.engine(h).request('GET', `/containers/json?all=1&filters=${label}`)).length;
    return { progress: `${tasks} tasks, ${containers} containers left`, done: tasks === 0 && containers === 0 };
  });
  process.stderr.write(`${system.kind}: ${n} replicas: ${down.ms === undefined ? `not gone (${down.progress})` : `all gone after ${secs(down.ms)}`}\n`);
  return { upMs: up.ms, upProgress: up.progress, downMs: down.ms, downProgress: down.progress, cpuUpS, hostPssMiB };
}

async function measure(kind, archive) {
  process.stderr.write(`--- ${kind}: bringing up 3 managers + 2 workers\n`);
  const cpuProfDir = kind === 'shoal' && opts['cpu-prof'] !== '' ? opts['cpu-prof'] : undefined;
  const system = await startSystem(kind, { tag: 'cv', managers: 3, workers: 2, cpuProfDir });
  try {
    for (const h of system.hosts) await loadTestImage(h.socket, archive);
    const out = {};
    for (const n of sizes) {
      out[n] = await converge(system, n);
      // A size that did not go away would leave its containers in the next size's figures.
      if (out[n].downMs === undefined) break;
    }
    return out;
  } finally {
    await system.destroy();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-conv-'));
const results = {};
try {
  const archive = join(dir, 'busybox.tar');
  writeBusyboxSaveTar(archive, 'busybox:latest');
  for (const kind of systems) results[kind] = await measure(kind, archive);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const [a, b] = systems;
const fmt = (r, key) => (r === undefined ? 'not run' : r[key] === undefined ? 'no' : secs(r[key]));
const header = ['replicas', ...systems.flatMap((k) => [`${k} all running`, `${k} all gone`, `${k} CPU s`, `${k} PSS MiB`])];
if (b !== undefined) header.push(`ratio up ${a}/${b}`, `ratio rm ${a}/${b}`);
const rows = sizes.map((n) => {
  const cells = [String(n), ...systems.flatMap((k) => [fmt(results[k][n], 'upMs'), fmt(results[k][n], 'downMs'), results[k][n]?.cpuUpS.toFixed(1) ?? '-', results[k][n]?.hostPssMiB.toFixed(0) ?? '-'])];
  if (b !== undefined) cells.push(ratio(results[a][n]?.upMs, results[b][n]?.upMs), ratio(results[a][n]?.downMs, results[b][n]?.downMs));
  return cells;
});
console.log(`\nConvergence on 5 hosts (3 managers + 2 workers), busybox sleep 3600 (CPU and PSS: processes in the hosts' namespaces, from create to all running):\n`);
console.log(table(header, rows));
for (const k of systems) {
  for (const n of sizes) {
    const r = results[k][n];
    if (r !== undefined && (r.upMs === undefined || r.downMs === undefined)) console.log(`${k}, ${n} replicas, within ${opts['timeout-s']} s: ${r.upProgress}; removal: ${r.downProgress}`);
  }
}

writeChart(opts.chart, {
  title: 'service create → all replicas running, service rm → all containers gone (5 hosts)',
  unit: 'seconds (lower is better)',
  series: systems,
  groups: sizes.flatMap((n) => [
    { label: `${n} up`, values: systems.map((k) => (results[k][n]?.upMs ?? NaN) / 1000) },
    { label: `${n} rm`, values: systems.map((k) => (results[k][n]?.downMs ?? NaN) / 1000) },
  ]),
  note: `${new Date().toISOString().slice(0, 10)}, bench/convergence/run.mjs; n/a: not converged within ${opts['timeout-s']} s`,
});
console.log(`\nchart: ${opts.chart}`);
