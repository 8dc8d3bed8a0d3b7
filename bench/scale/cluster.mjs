// The layout of benchmark 5: 3 real shoald managers on namespace hosts, plus a 4th namespace host
// with no daemon that holds the simulated agents' processes, so their traffic crosses the same veth
// and bridge a real worker's does and the managers' namespaces hold only the managers (their /proc
// figures are theirs alone). Also: CPU time and RSS of processes from /proc.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createCluster, destroyCluster, startDaemon, stopDaemon, waitForSocket, formSwarm, shoalCli, daemonPid, DEFAULT_DAEMON_COMMAND,
} from '../../packages/cli/dist/src/cluster/index.js';
import { Engine } from '../lib/engine.mjs';

const AGENTS = fileURLToPath(new URL('./agents.mjs', import.meta.url));
const live = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    for (const name of live) await destroyCluster(name).catch(() => {});
    process.exit(130);
  });
}

export async function startScaleCluster({ tag, heartbeat, cpuProfDir, v8ProfDir, logsDir }) {
  const name = `bs${tag}${process.pid % 100000}`;
  await destroyCluster(name);
  live.add(name);
  let daemonCommand = DEFAULT_DAEMON_COMMAND;
  if (cpuProfDir) {
    mkdirSync(cpuProfDir, { recursive: true });
    const [node, ...rest] = DEFAULT_DAEMON_COMMAND;
    daemonCommand = [node, '--cpu-prof', '--cpu-prof-dir', cpuProfDir, ...rest];
  } else if (v8ProfDir) {
    // V8's tick log is written as it goes, so it survives a manager too busy to exit in time.
    mkdirSync(v8ProfDir, { recursive: true });
    const [node, ...rest] = DEFAULT_DAEMON_COMMAND;
    daemonCommand = [node, '--prof', '--no-logfile-per-isolate', `--logfile=${v8ProfDir}/v8-%p.log`, ...rest];
  }
  const cluster = await createCluster({ name, managers: 3, workers: 1, daemonCommand });
  const managers = cluster.hosts.filter((h) => h.role === 'manager');
  const agentsHost = cluster.hosts.find((h) => h.role === 'worker');
  const engines = new Map(managers.map((h) => [h.name, new Engine(h.socket, { timeoutMs: 120_000 })]));
  const destroy = async () => {
    for (const e of engines.values()) e.close();
    // A busy manager may need longer than the teardown's grace to exit and write its --cpu-prof.
    if (cpuProfDir) await Promise.all(managers.map((h) => stopDaemon(h, { timeoutMs: 60_000 }).catch(() => {})));
    if (logsDir) {
      mkdirSync(logsDir, { recursive: true });
      for (const h of managers) copyFileSync(h.logFile, `${logsDir}/${name}-${h.name}.log`);
    }
    await destroyCluster(name);
    live.delete(name);
  };
  try {
    for (const h of managers) await startDaemon(h);
    await Promise.all(managers.map((h) => waitForSocket(h, { timeoutMs: 60_000 })));
    await formSwarm({ ...cluster, hosts: managers }, { cli: shoalCli, heartbeat });
    // Managers run no tasks: every task lands on a simulated node.
    const first = engines.get(managers[0].name);
    for (const node of await first.nodes()) {
      await first.request('POST', `/nodes/${node.ID}/update?version=${node.Version.Index}`, { ...node.Spec, Availability: 'drain' });
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { cluster, managers, agentsHost, engine: (h) => engines.get(h.name), destroy };
}

/** The host whose node is the leader, and the others. */
export async function roles(system) {
  const nodes = await system.engine(system.managers[0]).nodes();
  const leaderName = nodes.find((n) => n.ManagerStatus?.Leader)?.Description?.Hostname;
  const leader = system.managers.find((h) => h.name === leaderName);
  if (!leader) throw new Error('no leader');
  return { leader, followers: system.managers.filter((h) => h !== leader) };
}

/** An agents.mjs process inside the agents host's namespace, with an IPC channel. */
export function spawnAgents(host) {
  return spawn('nsenter', [`--net=/run/netns/${host.netns}`, process.execPath, '--max-old-space-size=4096', AGENTS], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

const TICKS_PER_S = 100;

/** User+system CPU seconds and RSS (MiB) of a pid, or undefined once it is gone. */
export function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { cpuS, rssMiB: rssKb / 1024 };
  } catch {
    return undefined;
  }
}

export { daemonPid };
