#!/usr/bin/env node
// Benchmark 5 (issue 8): simulated worker nodes that speak the real dispatcher protocol over real
// mutual TLS (bench/scale/agents.mjs, sim-node.mjs) against 3 real shoald managers. Per scale: join
// N nodes with the worker token, open their sessions, idle, create one service whose replicas run on
// them (reported running without containers), then make 10 % of the nodes vanish and wait until the
// managers mark them down and every replica runs again. Prints the leader's and followers' CPU and
// RSS per phase, heartbeat misses (nodes marked down that were alive), and writes docs/charts/scale.svg.
// No real swarm alongside: dockerd cannot be driven by simulated agents (see docs/benchmarks.md).
// Every node count runs with every task count; issue 8's target (5,000 nodes, 100,000 tasks: about
// 6 minutes on a 2-core machine) is `--nodes 5000 --tasks 100000 --converge-timeout-s 900`.
// Usage: node bench/scale/run.mjs [--nodes 200,1000] [--tasks 10000] [--procs 4] [--keys 16]
//        [--heartbeat 5s] [--converge-timeout-s 300] [--vanish 0.1] [--cpu-prof DIR | --v8-prof DIR] [--logs DIR] [--chart PATH]
import { generateKeyPair } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCsr } from '../../packages/manager/dist/src/index.js';
import { parseArgs } from '../lib/args.mjs';
import { table } from '../lib/stats.mjs';
import { writeChart } from '../lib/svg.mjs';
import { startScaleCluster, roles, spawnAgents, procSample, daemonPid } from './cluster.mjs';
import { Swarm } from './swarm.mjs';

const opts = parseArgs(process.argv.slice(2), {
  nodes: '200,1000', tasks: '10000', procs: 4, keys: 16, heartbeat: '5s', 'converge-timeout-s': 300, 'join-concurrency': 8,
  'session-rate': 250, 'start-delay-ms': 50, vanish: 0.1, 'idle-s': 15, 'cpu-prof': '', 'v8-prof': '', logs: '',
  chart: fileURLToPath(new URL('../../docs/charts/scale.svg', import.meta.url)),
});
const nodeCounts = String(opts.nodes).split(',').map(Number);
const taskCounts = String(opts.tasks).split(',').map(Number);
const log = (msg) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** A key pool made on the libuv thread pool (in parallel), with one CSR per key. */
async function keyPool(count) {
  const t0 = performance.now();
  const gen = promisify(generateKeyPair);
  const keys = await Promise.all(Array.from({ length: count }, async () => {
    const { privateKey } = await gen('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    return { keyPem: privateKey, csrPem: createCsr(privateKey) };
  }));
  log(`${count} RSA-2048 keys and CSRs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return keys;
}

/** CPU and peak RSS of the managers over one phase. */
class Meter {
  constructor(pids) {
    this.pids = pids;
    this.start = pids.map((p) => procSample(p.pid));
    this.t0 = performance.now();
    this.rssMax = pids.map(() => 0);
    this.timer = setInterval(() => this.#sample(), 500);
    this.#sample();
  }
  #sample() {
    this.pids.forEach((p, i) => {
      const s = procSample(p.pid);
      if (s) this.rssMax[i] = Math.max(this.rssMax[i], s.rssMiB);
    });
  }
  stop() {
    clearInterval(this.timer);
    this.#sample();
    const wallS = (performance.now() - this.t0) / 1000;
    return Object.fromEntries(this.pids.map((p, i) => {
      const end = procSample(p.pid);
      const cpuS = end && this.start[i] ? end.cpuS - this.start[i].cpuS : NaN;
      return [p.name, { cpuS, cpuPct: (100 * cpuS) / wallS, rssMaxMiB: this.rssMax[i], rssEndMiB: end?.rssMiB ?? NaN }];
    }));
  }
}

async function scenario(nodes, tasks, keys) {
  log(`--- ${nodes} nodes, ${tasks} tasks: bringing up 3 managers`);
  const system = await startScaleCluster({ tag: String(nodes), heartbeat: opts.heartbeat, cpuProfDir: opts['cpu-prof'] || undefined, v8ProfDir: opts['v8-prof'] || undefined, logsDir: opts.logs || undefined });
  const procs = [];
  try {
    const { leader, followers } = await roles(system);
    const pids = [
      { name: 'leader', pid: daemonPid(leader) },
      ...followers.map((h, i) => ({ name: `follower${i + 1}`, pid: daemonPid(h) })),
    ];
    const swarm = new Swarm(system.engine(followers[0]), system.engine(leader));
    const token = (await system.engine(leader).request('GET', '/swarm')).JoinTokens.Worker;
    const managers = system.managers.map((h) => `${h.addr}:2377`);
    const phases = {};
    const measure = async (name, fn) => {
      const meter = new Meter([...pids, ...procs.map((p, i) => ({ name: `agents${i + 1}`, pid: p.child.pid }))]);
      const t0 = performance.now();
      const extra = await fn();
      phases[name] = { ms: performance.now() - t0, procs: meter.stop(), ...extra };
      log(`${name}: ${(phases[name].ms / 1000).toFixed(1)} s; leader CPU ${phases[name].procs.leader.cpuPct.toFixed(0)} %, RSS max ${phases[name].procs.leader.rssMaxMiB.toFixed(0)} MiB`);
      return phases[name];
    };

    const per = Math.ceil(nodes / opts.procs);
    for (let i = 0; i < opts.procs && i * per < nodes; i++) procs.push(agentProcess(system.agentsHost, { first: i * per, count: Math.min(per, nodes - i * per) }));
    const config = { managers, token, keys, joinConcurrency: opts['join-concurrency'], startDelayMs: opts['start-delay-ms'], sessionRate: opts['session-rate'] / procs.length, addr: system.agentsHost.addr };
    await measure('join', async () => {
      await Promise.all(procs.map((p) => p.join({ ...config, first: p.first, count: p.count })));
      return {};
    });
    const alive = new Set(procs.flatMap((p) => p.nodeIds));
    const sum = (k) => procs.reduce((s, p) => s + (p.counters?.[k] ?? 0), 0);
    await measure('sessions', async () => {
      for (const p of procs) p.child.send({ type: 'open' });
      await until(`${nodes} sessions`, () => sum('sessionsUp') >= nodes, 600_000);
      await until(`${nodes} nodes ready`, async () => (await swarm.nodeStates(alive)).ready >= nodes, 600_000);
      return {};
    });
    const lostBefore = () => sum('sessionLost');
    const lost0 = lostBefore();
    await measure('idle', async () => {
      await sleep(opts['idle-s'] * 1000);
      return { down: (await swarm.nodeStates(alive)).down };
    });
    const serviceId = await swarm.createService('scale', tasks);
    await measure('converge', async () => {
      let status;
      const r = await until(`${tasks} tasks running`, async () => {
        status = await swarm.serviceStatus(serviceId);
        return status.RunningTasks >= tasks ? status : undefined;
      }, opts['converge-timeout-s'] * 1000, () => `${status?.RunningTasks ?? '?'} running (agents: ${sum('running')})`);
      return { running: r.RunningTasks, down: (await swarm.nodeStates(alive)).down };
    });
    const lost1 = lostBefore() - lost0;
    const vanishCount = Math.round(nodes * opts.vanish);
    let gone = [];
    await measure('reschedule', async () => {
      gone = (await Promise.all(procs.map((p, i) => p.vanish(Math.round(vanishCount / procs.length) + (i === 0 ? vanishCount - procs.length * Math.round(vanishCount / procs.length) : 0))))).flat();
      for (const id of gone) alive.delete(id);
      const t0 = performance.now();
      const goneSet = new Set(gone);
      let downMs = NaN;
      await until('vanished nodes down and every replica running', async () => {
        if (Number.isNaN(downMs) && (await swarm.nodeStates(goneSet)).down >= goneSet.size) downMs = performance.now() - t0;
        if (Number.isNaN(downMs)) return false;
        return (await swarm.serviceStatus(serviceId)).RunningTasks >= tasks;
      }, opts['converge-timeout-s'] * 1000);
      return { vanished: gone.length, downMs, wrongDown: (await swarm.nodeStates(alive)).down };
    });
    return { nodes, tasks, phases, sessionLostBeforeVanish: lost1, heartbeatNotFound: sum('heartbeatNotFound'), heartbeatMsMax: Math.max(...procs.map((p) => p.counters?.heartbeatMsMax ?? 0)), reportErrors: sum('reportErrors') };
  } finally {
    for (const p of procs) p.child.kill();
    await system.destroy();
  }
}

/** Polls `probe` every second until it returns a truthy value; bounded. */
async function until(what, probe, timeoutMs, progress) {
  const t0 = performance.now();
  let last;
  let lastLog = t0;
  for (;;) {
    last = await Promise.resolve().then(probe).catch((err) => (log(`${what}: ${err.message}`), undefined));
    if (last) return last;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    if (progress && performance.now() - lastLog > 10_000) {
      log(`  waiting for ${what}: ${progress()}`);
      lastLog = performance.now();
    }
    await sleep(1000);
  }
}

function agentProcess(host, { first, count }) {
  const child = spawnAgents(host);
  const p = { child, first, count, nodeIds: [], counters: undefined };
  const waiters = new Map();
  child.on('message', (m) => {
    if (m.type === 'stats') p.counters = m.counters;
    else if (m.type === 'error') log(`agents ${first}: ${m.message}`);
    waiters.get(m.type)?.(m);
  });
  const next = (type) => new Promise((resolve, reject) => {
    waiters.set(type, resolve);
    child.once('exit', (code) => reject(new Error(`agents process exited (${code})`)));
  });
  p.join = async (config) => {
    child.send({ type: 'start', config });
    const m = await next('joined');
    p.nodeIds = m.nodeIds;
  };
  p.vanish = async (n) => {
    child.send({ type: 'vanish', count: n });
    return (await next('vanished')).nodeIds;
  };
  return p;
}

const keys = await keyPool(opts.keys);
const results = [];
for (const nodes of nodeCounts) {
  for (const tasks of taskCounts) {
    try {
      results.push(await scenario(nodes, tasks, keys));
    } catch (err) {
      log(`${nodes} nodes, ${tasks} tasks failed: ${err.message}`);
      results.push({ nodes, tasks, error: err.message });
    }
  }
}
report(results);
// A handle not yet identified keeps the loop alive after teardown; every cluster is gone by now.
process.exit(results.some((r) => r.error) ? 1 : 0);

function report(rs) {
  const s = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '-');
  const pct = (p) => (p ? `${p.cpuPct.toFixed(0)} %` : '-');
  const mib = (p) => (p ? p.rssMaxMiB.toFixed(0) : '-');
  console.log(`\nScale: simulated nodes against 3 shoald managers (heartbeat ${opts.heartbeat}, ${opts.procs} agent processes, ${opts.keys} keys):\n`);
  const ok = rs.filter((r) => !r.error);
  console.log(table(
    ['nodes', 'tasks', 'join s', 'sessions s', 'converge s', 'vanish→down s', 'vanish→all running s', 'nodes wrongly down', 'sessions lost', 'hb max ms'],
    ok.map((r) => [r.nodes, r.tasks, s(r.phases.join.ms), s(r.phases.sessions.ms), s(r.phases.converge.ms), s(r.phases.reschedule.downMs), s(r.phases.reschedule.ms),
      `${r.phases.idle.down}/${r.phases.converge.down}/${r.phases.reschedule.wrongDown}`, r.sessionLostBeforeVanish, r.heartbeatMsMax.toFixed(0)]),
  ));
  console.log('\nManager CPU (share of one core) and peak RSS MiB per phase, leader / follower1 / follower2:\n');
  const rows = [];
  for (const r of ok) {
    for (const [name, ph] of Object.entries(r.phases)) {
      const p = ph.procs;
      rows.push([`${r.nodes}/${r.tasks} ${name}`, s(ph.ms), `${pct(p.leader)} / ${pct(p.follower1)} / ${pct(p.follower2)}`, `${mib(p.leader)} / ${mib(p.follower1)} / ${mib(p.follower2)}`,
        Object.keys(p).filter((k) => k.startsWith('agents')).map((k) => pct(p[k])).join(' ')]);
    }
  }
  console.log(table(['scenario phase', 's', 'CPU L / F1 / F2', 'RSS max L / F1 / F2', 'agent procs CPU'], rows));
  for (const r of rs) if (r.error) console.log(`${r.nodes} nodes, ${r.tasks} tasks: ${r.error}`);
  console.log(`\nraw: ${JSON.stringify(rs)}`);
  if (ok.length === 0) return;
  writeChart(opts.chart, {
    title: 'Scale: simulated nodes against 3 shoald managers',
    unit: 'seconds (lower is better)',
    series: ['join', 'converge', 'vanish→all running'],
    groups: ok.map((r) => ({ label: `${r.nodes} nodes, ${r.tasks / 1000}k tasks`, values: [r.phases.join.ms / 1000, r.phases.converge.ms / 1000, r.phases.reschedule.ms / 1000] })),
    note: `${new Date().toISOString().slice(0, 10)}, bench/scale/run.mjs, heartbeat ${opts.heartbeat}`,
  });
  console.log(`chart: ${opts.chart}`);
}
