#!/usr/bin/env node
// Failover figures for a 3-manager shoal swarm on namespace hosts (not a test; prints figures):
//  1. kill -9 of the leader's daemon → time until a write through another manager succeeds;
//  2. a 300 ms loss of all connectivity of the leader (nftables drop inside its namespace) →
//     whether leadership moved or any node was marked Down.
// Usage: node bench/failover/run.mjs [trials=5] [blipMs=300]
import { createCluster, destroyCluster, startDaemons, formSwarm, shoalCli, cliOk, nodeLs, kill9, restartDaemon, waitFor, execOnHost } from '../../packages/cli/dist/src/cluster/index.js';

const trials = Number(process.argv[2] ?? 5);
const blipMs = Number(process.argv[3] ?? 300);
const name = `fo${process.pid % 10000}`;

async function leaderOf(host) {
  const rows = await nodeLs(host, shoalCli);
  return rows.find((r) => r.managerStatus === 'Leader');
}

async function main() {
  const cluster = await createCluster({ name, managers: 3, workers: 0 });
  try {
    await startDaemons(cluster);
    await formSwarm(cluster, { cli: shoalCli, heartbeat: '5s' });
    const hosts = cluster.hosts;
    const byName = new Map(hosts.map((h) => [h.name, h]));
    const failovers = [];
    for (let i = 0; i < trials; i++) {
      const leader = byName.get((await waitFor('a leader', () => leaderOf(hosts[0]), { timeoutMs: 20_000 })).hostname);
      const other = hosts.find((h) => h !== leader);
      const target = hosts.find((h) => h !== leader && h !== other);
      await kill9(leader);
      const start = performance.now();
      await waitFor('a write after kill -9', async () =>
        (await shoalCli(other, ['node', 'update', '--label-add', `trial=${i}`, target.name], { timeoutMs: 5_000 })).code === 0 ? true : undefined,
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      failovers.push(performance.now() - start);
      await restartDaemon(leader);
      await waitFor('all managers reachable again', async () => {
        const rows = await nodeLs(other, shoalCli);
        return rows.filter((r) => r.managerStatus === 'Reachable').length === 2 && rows.every((r) => r.status === 'Ready') ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
    }
    failovers.sort((a, b) => a - b);
    const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`kill -9 of the leader, ${trials} trials: write accepted after median ${fmt(failovers[Math.floor(trials / 2)])}, max ${fmt(failovers.at(-1))} (all: ${failovers.map(fmt).join(', ')})`);

    let leaderChanges = 0;
    let downs = 0;
    for (let i = 0; i < trials; i++) {
      const before = await waitFor('a leader', () => leaderOf(hosts[0]), { timeoutMs: 20_000 });
      const leader = byName.get(before.hostname);
      const script = `add table inet blip\nadd chain inet blip input { type filter hook input priority -300; policy accept; }\nadd chain inet blip output { type filter hook output priority -300; policy accept; }\nadd rule inet blip input ip saddr ${cluster.subnet} ip saddr != ${leader.addr} drop\nadd rule inet blip output ip daddr ${cluster.subnet} ip daddr != ${leader.addr} drop\n`;
      const r = await execOnHost(leader, ['sh', '-c', `printf '%s' "$0" | nft -f - && sleep ${blipMs / 1000}; nft delete table inet blip`, script], { timeoutMs: 10_000 });
      if (r.code !== 0) throw new Error(`blip failed: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 3000));
      const rows = await nodeLs(hosts.find((h) => h !== leader), shoalCli);
      const after = rows.find((x) => x.managerStatus === 'Leader');
      if (after?.hostname !== before.hostname) leaderChanges++;
      downs += rows.filter((x) => x.status !== 'Ready').length;
      await cliOk(shoalCli, leader, ['node', 'ls']);
    }
    console.log(`${blipMs} ms loss of the leader's connectivity, ${trials} trials: ${leaderChanges} leader changes, ${downs} nodes seen not Ready`);
  } finally {
    await destroyCluster(name);
  }
}

await main();
