#!/usr/bin/env node
// Benchmark 2 (issue 8): failover of a 3-manager swarm, shoal and the real Docker swarm side by side.
//  1. kill -9 of the leader's daemon → time until a write (overlay network create through the Engine
//     API) succeeds through another manager; the old leader is restarted and rejoins between trials.
//  2. a short loss of all connectivity of the leader (nftables drop inside its namespace) → whether
//     leadership moved or any node was marked down, watched from another manager during and after.
// Not a test; prints figures and writes docs/charts/failover.svg.
// Usage: node bench/failover/run.mjs [--trials 5] [--blip-ms 300] [--watch-ms 8000] [--systems shoal,docker]
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execOnHost, kill9, restartDaemon, waitFor } from '../../packages/cli/dist/src/cluster/index.js';
import { parseArgs, listOption } from '../lib/args.mjs';
import { Engine } from '../lib/engine.mjs';
import { summarize, secs, ratio, table } from '../lib/stats.mjs';
import { writeChart } from '../lib/svg.mjs';
import { SYSTEMS, startSystem, waitForLeader } from '../lib/systems.mjs';

const opts = parseArgs(process.argv.slice(2), {
  trials: 5, 'blip-ms': 300, 'watch-ms': 8000, systems: SYSTEMS.join(','),
  chart: fileURLToPath(new URL('../../docs/charts/failover.svg', import.meta.url)),
});
const systems = listOption(opts.systems, SYSTEMS);

/**
 * Writes through `socket` until one succeeds: a new attempt every 50 ms (at most 40 in flight), so a
 * request stuck on the dead leader does not hide a later one that would succeed. Returns the time from
 * `start` to the first success.
 */
async function firstWrite(socket, start, tag, timeoutMs = 60_000) {
  const engine = new Engine(socket, { timeoutMs: 20_000 });
  const created = [];
  const inFlight = new Set();
  let done;
  try {
    for (let i = 0; done === undefined; i++) {
      if (performance.now() - start > timeoutMs) throw new Error(`no write succeeded within ${timeoutMs} ms`);
      if (inFlight.size < 40) {
        const p = engine.createNetwork(`${tag}-${i}`).then(
          (net) => { created.push(net.Id); done ??= performance.now() - start; },
          () => {},
        ).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await sleep(50);
    }
    await Promise.race([Promise.all(inFlight), sleep(20_000)]);
    for (const id of created) await engine.removeNetwork(id).catch(() => {});
    return done;
  } finally {
    engine.close();
  }
}

async function allManagersBack(system, via) {
  const engine = system.engine(via);
  await waitFor(`all managers reachable and nodes ready (${system.kind})`, async () => {
    const nodes = await engine.nodes();
    const ok = nodes.length === system.hosts.length &&
      nodes.every((n) => n.Status.State === 'ready' && (n.ManagerStatus === undefined || n.ManagerStatus.Reachability === 'reachable'));
    return ok ? true : undefined;
  }, { timeoutMs: 90_000, intervalMs: 200 });
}

async function killTrials(system) {
  const times = [];
  for (let i = 0; i < opts.trials; i++) {
    const leader = await waitForLeader(system);
    const other = system.hosts.find((h) => h !== leader && h.role === 'manager');
    await kill9(leader);
    const start = performance.now();
    const ms = await firstWrite(other.socket, start, `fo${i}`);
    times.push(ms);
    process.stderr.write(`${system.kind}: kill -9 trial ${i + 1}: write accepted after ${secs(ms)}\n`);
    await restartDaemon(leader, { socketTimeoutMs: 60_000 });
    await allManagersBack(system, other);
  }
  return times;
}

function blipScript(leader, subnet) {
  return [
    'add table inet blip',
    'add chain inet blip input { type filter hook input priority -300; policy accept; }',
    'add chain inet blip output { type filter hook output priority -300; policy accept; }',
    `add rule inet blip input ip saddr ${subnet} ip saddr != ${leader.addr} drop`,
    `add rule inet blip output ip daddr ${subnet} ip daddr != ${leader.addr} drop`,
  ].join('\n') + '\n';
}

/** Polls /nodes through `via` until `until`, collecting leader names and nodes seen not ready. */
async function watch(system, via, until) {
  const engine = new Engine(via.socket, { timeoutMs: 1_000 });
  const leaders = new Set();
  const down = new Set();
  try {
    while (performance.now() < until) {
      try {
        for (const n of await engine.nodes()) {
          if (n.ManagerStatus?.Leader) leaders.add(n.Description.Hostname);
          if (n.Status.State !== 'ready') down.add(n.Description.Hostname);
        }
      } catch {
        // no answer within the bound while the leader is cut off: the next poll tries again
      }
      await sleep(100);
    }
  } finally {
    engine.close();
  }
  return { leaders, down };
}

async function blipTrials(system) {
  let leaderChanges = 0;
  let nodesDown = 0;
  for (let i = 0; i < opts.trials; i++) {
    const before = await waitForLeader(system);
    const other = system.hosts.find((h) => h !== before && h.role === 'manager');
    const watching = watch(system, other, performance.now() + opts['watch-ms']);
    const cut = `printf '%s' "$0" | nft -f - && sleep ${opts['blip-ms'] / 1000}; nft delete table inet blip`;
    const r = await execOnHost(before, ['sh', '-c', cut, blipScript(before, system.cluster.subnet)], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`blip on ${before.name} failed: ${r.stderr}`);
    const seen = await watching;
    const after = await waitForLeader(system);
    const changed = after !== before || seen.leaders.size > 1;
    leaderChanges += changed ? 1 : 0;
    nodesDown += seen.down.size;
    process.stderr.write(`${system.kind}: blip trial ${i + 1}: leader ${changed ? `changed ${before.name} → ${after.name}` : 'kept'}, not ready: ${[...seen.down].join(', ') || 'none'}\n`);
    if (changed || seen.down.size > 0) await allManagersBack(system, other);
  }
  return { leaderChanges, nodesDown };
}

const results = {};
for (const kind of systems) {
  process.stderr.write(`--- ${kind}: bringing up 3 managers\n`);
  const system = await startSystem(kind, { tag: 'fo' });
  try {
    results[kind] = { kill: summarize(await killTrials(system)), blip: await blipTrials(system) };
  } finally {
    await system.destroy();
  }
}

const [a, b] = systems;
const header = ['figure', ...systems];
if (b !== undefined) header.push(`ratio ${a}/${b}`);
const row = (label, pick, fmt) => {
  const cells = [label, ...systems.map((k) => fmt(pick(results[k])))];
  if (b !== undefined) cells.push(ratio(pick(results[a]), pick(results[b])));
  return cells;
};
console.log(`\nFailover, 3 managers, ${opts.trials} trials each:\n`);
console.log(table(header, [
  row('kill -9 leader → write accepted, median', (r) => r.kill.p50, secs),
  row('kill -9 leader → write accepted, min', (r) => r.kill.min, secs),
  row('kill -9 leader → write accepted, max', (r) => r.kill.max, secs),
  row(`${opts['blip-ms']} ms leader blip: leader changes`, (r) => r.blip.leaderChanges, String),
  row(`${opts['blip-ms']} ms leader blip: nodes seen not ready`, (r) => r.blip.nodesDown, String),
]));

writeChart(opts.chart, {
  title: 'kill -9 of the leader: time until a write succeeds through another manager',
  unit: 'seconds (lower is better)',
  series: systems,
  groups: [
    { label: 'median', values: systems.map((k) => results[k].kill.p50 / 1000) },
    { label: 'max', values: systems.map((k) => results[k].kill.max / 1000) },
  ],
  note: `${new Date().toISOString().slice(0, 10)}, ${opts.trials} trials, bench/failover/run.mjs; ${opts['blip-ms']} ms blips: ${systems.map((k) => `${k} ${results[k].blip.leaderChanges} leader changes, ${results[k].blip.nodesDown} down`).join('; ')}`,
});
console.log(`\nchart: ${opts.chart}`);
