// The two systems every side-by-side benchmark runs on the same layout of namespace hosts:
//  - "shoal": this checkout's shoald on each host, swarm formed with our CLI;
//  - "docker": the anchor, a real dockerd 20.10 with swarmkit on each host (bench/anchor), swarm
//    formed with the real docker CLI.
// Both use the cluster harness of packages/cli (createCluster/startDaemons/formSwarm/destroyCluster),
// so hosts, addresses, sockets and teardown are identical; only the daemon command differs.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createCluster, destroyCluster, startDaemons, formSwarm, shoalCli, dockerCli, waitFor,
  DEFAULT_DAEMON_COMMAND,
} from '../../packages/cli/dist/src/cluster/index.js';
import { ensureDocker } from '../anchor/install.mjs';
import { Engine } from './engine.mjs';

export const SYSTEMS = ['shoal', 'docker'];
const DOCKERD_HOST = fileURLToPath(new URL('../anchor/dockerd-host.sh', import.meta.url));

/** Clusters this process brought up and has not destroyed yet: torn down on SIGINT/SIGTERM too. */
const live = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    process.stderr.write(`\n${sig}: removing ${[...live].join(', ') || 'nothing'}\n`);
    for (const name of live) await destroyCluster(name).catch(() => {});
    process.exit(130);
  });
}

/** `flags` are the daemon flags both systems share (e.g. --insecure-registry), appended as given. */
function daemonCommand(kind, cpuProfDir, flags = []) {
  if (kind === 'docker') return [DOCKERD_HOST, ...flags];
  if (cpuProfDir === undefined) return [...DEFAULT_DAEMON_COMMAND, ...flags];
  mkdirSync(cpuProfDir, { recursive: true });
  const [node, ...rest] = DEFAULT_DAEMON_COMMAND;
  return [node, '--cpu-prof', '--cpu-prof-dir', cpuProfDir, ...rest, ...flags];
}

/**
 * Brings up `kind` on fresh namespace hosts and forms its swarm. Returns the cluster, one Engine API
 * client per host, and destroy(), which removes everything (call it in a finally).
 * @param {'shoal'|'docker'} kind
 */
export async function startSystem(kind, { tag, managers = 3, workers = 0, cpuProfDir, heartbeat = '5s', daemonFlags = [] } = {}) {
  if (kind === 'docker') await ensureDocker();
  const name = `b${tag ?? ''}${kind[0]}${process.pid % 100000}`;
  await destroyCluster(name); // a crash's leftover under the same name
  live.add(name);
  const cluster = await createCluster({ name, managers, workers, daemonCommand: daemonCommand(kind, cpuProfDir, daemonFlags) });
  const engines = new Map(cluster.hosts.map((h) => [h.name, new Engine(h.socket)]));
  const destroy = async () => {
    for (const e of engines.values()) e.close();
    await destroyCluster(name);
    live.delete(name);
  };
  try {
    await startDaemons(cluster, { socketTimeoutMs: 60_000 });
    await formSwarm(cluster, { cli: kind === 'docker' ? dockerCli : shoalCli, heartbeat });
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    kind,
    cluster,
    hosts: cluster.hosts,
    engine: (host) => engines.get(host.name),
    /** The host whose node the swarm reports as leader, asked through `via` (default: any manager that answers). */
    leader: (via) => leaderHost(cluster.hosts, engines, via),
    destroy,
  };
}

async function leaderHost(hosts, engines, via) {
  const askers = via === undefined ? hosts.filter((h) => h.role === 'manager') : [via];
  for (const host of askers) {
    try {
      const nodes = await engines.get(host.name).nodes();
      const leader = nodes.find((n) => n.ManagerStatus?.Leader === true);
      const found = hosts.find((h) => h.name === leader?.Description?.Hostname);
      if (found !== undefined) return found;
    } catch {
      // this manager is down or has no leader yet: ask the next
    }
  }
  return undefined;
}

/** Waits (bounded) until some manager names a leader, and returns its host. */
export function waitForLeader(system, { via, timeoutMs = 30_000 } = {}) {
  return waitFor(`a leader of the ${system.kind} swarm`, () => system.leader(via), { timeoutMs, intervalMs: 100 });
}
