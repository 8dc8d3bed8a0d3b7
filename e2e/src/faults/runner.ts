// A fault run on a real multi-process cluster: clients write through different managers while the
// nemesis crashes, pauses, cuts off and starves managers and workers; then everything is healed and
// the history, the allocator, convergence and the hosts are checked. Seeded: the same seed gives the
// same schedule of choices (timings on a loaded machine still vary).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliOk, dockerCli, formSwarm, loadTestImage, waitFor, writeBusyboxSaveTar, type Cluster, type Host } from '@shoal/cli/cluster';
import { Prng } from '../fuzz/prng.js';
import { callEngine, getJson } from './engine.js';
import { checkAllocator, checkConvergence, checkHistory, readRunObjects } from './checks.js';
import { History } from './history.js';
import { checkLeaks, snapshotHost, type HostSnapshot } from './leaks.js';
import { FAULT_KINDS, findLeader, Nemesis, type FaultKind, type FaultRecord } from './nemesis.js';
import { RUN_LABEL, runWorkload } from './workload.js';

export interface FaultRunOptions {
  readonly cluster: Cluster;
  readonly seed: number;
  readonly durationMs: number;
  /**
   * The run goes on past durationMs until this many faults were injected (a slow machine fits fewer
   * in the same time), but never past twice durationMs. Default 0.
   */
  readonly minFaults?: number;
  /** Default 4. */
  readonly clients?: number;
  /** Default: every kind. */
  readonly kinds?: readonly FaultKind[];
  /** Default [2500, 4500] ms. */
  readonly holdMs?: readonly [number, number];
  /** Default [500, 2000] ms. */
  readonly gapMs?: readonly [number, number];
  /** Bound on each end-of-run wait (healthy cluster, convergence, clean hosts). Default 60 000 ms. */
  readonly settleMs?: number;
  readonly log?: (line: string) => void;
}

export interface FaultReport {
  readonly seed: number;
  readonly operations: Record<'ok' | 'fail' | 'unknown', number>;
  /** Why calls were refused or went unanswered, most frequent first (messages with names stripped). */
  readonly reasons: readonly [string, number][];
  readonly faults: readonly FaultRecord[];
  /** Acknowledged writes whose effect is missing: must be empty. */
  readonly lostWrites: readonly string[];
  /** History, allocator, convergence and leak violations: must be empty. */
  readonly violations: readonly string[];
}

const SERVICE_NETWORK = 'faultnet';
const IMAGE = 'busybox:latest';

async function setUp(cluster: Cluster): Promise<void> {
  await formSwarm(cluster, { heartbeat: '1s' });
  const archive = join(cluster.stateDir, 'busybox-image.tar');
  writeBusyboxSaveTar(archive, IMAGE);
  const [first] = cluster.hosts;
  if (first === undefined) throw new Error('empty cluster');
  for (const host of cluster.hosts) {
    if (host.role === 'worker') await loadTestImage(host.socket, archive);
    // Tasks run on the workers only: a manager's crash then tests the control plane, a worker's the agent.
    else await cliOk(dockerCli, first, ['node', 'update', '--availability', 'drain', host.name]);
  }
  await cliOk(dockerCli, first, ['network', 'create', '-d', 'overlay', SERVICE_NETWORK]);
}

/** A leader every manager agrees on and every node Ready; on timeout the error says what each manager saw. */
async function waitHealthy(managers: readonly Host[], hostCount: number, timeoutMs: number): Promise<void> {
  let seen = '';
  await waitFor('a leader and every node Ready', async () => {
    const views: string[] = [];
    let healthy = true;
    for (const m of managers) {
      const nodes = await getJson<NodeJson[]>(m.socket, '/nodes', 3_000).catch((err: Error) => err);
      if (nodes instanceof Error) {
        views.push(`${m.name}: ${nodes.message}`);
        healthy = false;
        continue;
      }
      const leaders = nodes.filter((n) => n.ManagerStatus?.Leader === true).length;
      const bad = nodes.filter((n) => n.Status.State !== 'ready' || (n.ManagerStatus !== undefined && n.ManagerStatus.Reachability !== 'reachable'));
      if (nodes.length !== hostCount || leaders !== 1 || bad.length > 0) healthy = false;
      views.push(`${m.name}: ${nodes.length} nodes, ${leaders} leaders, not ready/reachable: ${bad.map((n) => `${n.Description?.Hostname} ${n.Status.State}/${n.ManagerStatus?.Reachability ?? '-'}`).join(' ') || 'none'}`);
    }
    seen = views.join('; ');
    return healthy ? true : undefined;
  }, { timeoutMs, intervalMs: 500 }).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${seen}`);
  });
}

interface NodeJson {
  Description?: { Hostname?: string };
  Status: { State: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

/** Removes every object the run made (services first: they hold addresses on the networks). */
async function removeRunObjects(via: Host, timeoutMs: number): Promise<void> {
  await removeRunServices(via, timeoutMs);
  await removeRunNetworks(via, timeoutMs);
}

const RUN_FILTER = encodeURIComponent(JSON.stringify({ label: [RUN_LABEL] }));

async function removeRunServices(via: Host, timeoutMs: number): Promise<void> {
  // What is still there, for the violation's message when the bound is reached.
  let seen = 'nothing read yet';
  await waitFor('every run service removed and no task desired running', async () => {
    const svcs = await getJson<{ ID: string; Spec: { Name: string } }[]>(via.socket, `/services?filters=${RUN_FILTER}`);
    const refusals: string[] = [];
    for (const s of svcs) {
      const r = await callEngine(via.socket, 'DELETE', `/services/${s.ID}`, undefined, 10_000);
      if (r.outcome !== 'ok') refusals.push(`rm service ${s.Spec.Name}: ${r.detail}`);
    }
    const tasks = await getJson<{ ID: string; ServiceID: string; NodeID?: string; DesiredState: string; Status: { State: string } }[]>(via.socket, '/tasks');
    const running = tasks.filter((t) => t.DesiredState === 'running');
    seen = `${svcs.length} services (${svcs.map((s) => s.Spec.Name).join(' ')}), ${running.length} tasks desired running ` +
      `(${running.slice(0, 5).map((t) => `${t.ID} of ${t.ServiceID} on ${t.NodeID ?? '-'} ${t.Status.State}`).join(', ')}); ${refusals.join('; ')}`;
    return svcs.length === 0 && running.length === 0 ? true : undefined;
  }, { timeoutMs, intervalMs: 500 }).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${seen}`);
  });
}

/**
 * Removes the run's networks, several at a time. Bounded by progress rather than in total: an hour's
 * run leaves thousands (creates whose answer was lost, removals refused for want of a leader), and
 * removing 4,534 of them one by one outlasted a fixed minute although every removal succeeded (seed 79).
 */
async function removeRunNetworks(via: Host, timeoutMs: number): Promise<void> {
  let fewest = Infinity;
  let progressAt = Date.now();
  let refusals: string[] = [];
  for (;;) {
    const nets = await getJson<{ Id: string; Name: string }[]>(via.socket, `/networks?filters=${RUN_FILTER}`);
    if (nets.length === 0) return;
    if (nets.length < fewest) {
      fewest = nets.length;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > timeoutMs) {
      throw new Error(`${nets.length} networks left (${nets.slice(0, 10).map((n) => n.Name).join(' ')}${nets.length > 10 ? ' …' : ''}), none removed in ${timeoutMs} ms; ${refusals.slice(0, 5).join('; ')}`);
    }
    refusals = [];
    const queue = [...nets];
    const remover = async () => {
      for (let n = queue.pop(); n !== undefined; n = queue.pop()) {
        const r = await callEngine(via.socket, 'DELETE', `/networks/${n.Id}`, undefined, 10_000);
        if (r.outcome !== 'ok') refusals.push(`rm network ${n.Name}: ${r.detail}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, remover));
    await sleep(500);
  }
}

export async function runFaults(options: FaultRunOptions): Promise<FaultReport> {
  const { cluster, seed } = options;
  const log = options.log ?? (() => {});
  const settleMs = options.settleMs ?? 60_000;
  const managers = cluster.hosts.filter((h) => h.role === 'manager');
  await setUp(cluster);
  const baseline = new Map<Host, HostSnapshot>();
  for (const host of cluster.hosts) baseline.set(host, await snapshotHost(host));

  const history = new History();
  const nemesis = new Nemesis(new Prng(seed ^ 0x5eed), {
    hosts: cluster.hosts,
    kinds: options.kinds ?? FAULT_KINDS,
    holdMs: options.holdMs ?? [6_500, 8_500],
    gapMs: options.gapMs ?? [500, 2_000],
    now: () => history.now(),
    log,
  });
  const deadline = Date.now() + options.durationMs;
  const hardDeadline = deadline + options.durationMs;
  const isDone = () => Date.now() > deadline && (nemesis.faults.length >= (options.minFaults ?? 0) || Date.now() > hardDeadline);
  try {
    await Promise.all([
      runWorkload((client) => new Prng(seed + client * 7919), {
        managers,
        history,
        clients: options.clients ?? 4,
        serviceNetwork: SERVICE_NETWORK,
        image: IMAGE,
        callTimeoutMs: 10_000,
        servicesPerClient: 2,
        isDone,
      }),
      nemesis.run(isDone),
    ]);
  } finally {
    await nemesis.healAll();
  }
  log(`workload done: ${history.ops.length} operations, ${nemesis.faults.length} faults; healing`);

  const violations: string[] = [];
  await waitHealthy(managers, cluster.hosts.length, settleMs).catch((err: Error) => violations.push(`cluster not healthy after healing: ${err.message}`));
  const leader = (await findLeader(managers)) ?? managers[0]!;
  const found = await readRunObjects(leader);
  const { lost, other } = checkHistory(history, found);
  violations.push(...other);
  violations.push(...(await checkConvergence(leader, settleMs)));
  violations.push(...(await checkAllocator(leader)));
  await removeRunObjects(leader, settleMs).catch((err: Error) => violations.push(`cleanup: ${err.message}`));
  violations.push(...(await checkLeaks(cluster.hosts, baseline, settleMs)).map((l) => `leak: ${l}`));
  return { seed, operations: history.counts(), reasons: reasons(history), faults: nemesis.faults, lostWrites: lost, violations };
}

function reasons(history: History): [string, number][] {
  const counts = new Map<string, number>();
  for (const op of history.ops) {
    if (op.outcome !== 'fail' && op.outcome !== 'unknown') continue;
    const why = `${op.outcome} ${op.action} ${op.kind}: ${op.detail.replace(/f[ns]\d+-\d+/g, '<name>').replace(/[0-9a-z]{25}/g, '<id>').slice(0, 140)}`;
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

export function formatFaultReport(r: FaultReport): string {
  const byKind = new Map<string, number>();
  for (const f of r.faults) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const ops = r.operations.ok + r.operations.fail + r.operations.unknown;
  return [
    `seed ${r.seed}`,
    `operations run: ${ops} (ok ${r.operations.ok}, failed ${r.operations.fail}, unknown ${r.operations.unknown})`,
    `faults injected: ${r.faults.length} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')})`,
    ...r.reasons.slice(0, 12).map(([why, n]) => `  ${n} × ${why}`),
    `acknowledged writes lost: ${r.lostWrites.length}`,
    ...r.lostWrites.map((l) => `  lost: ${l}`),
    `invariant violations: ${r.violations.length}`,
    ...r.violations.map((v) => `  violation: ${v}`),
  ].join('\n');
}
