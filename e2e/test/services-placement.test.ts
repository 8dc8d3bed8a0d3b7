// Global services, placement constraints and a daemon restart under running tasks, with the real
// docker CLI on a 1-manager + 2-worker swarm running real containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerOk, formSwarm, restartDaemon, waitFor, withCluster, dockerCli, servicePs, type HostLayout, type TaskRow } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';


function settled(host: HostLayout, service: string, ok: (rows: TaskRow[]) => boolean, what: string): Promise<TaskRow[]> {
  return waitFor(`${what} (${service})`, async () => {
    const rows = (await servicePs(host, service)).filter((r) => r.desired === 'Running');
    return ok(rows) ? rows : undefined;
  }, { timeoutMs: 25_000, intervalMs: 200 });
}

const allRunning = (rows: TaskRow[]) => rows.length > 0 && rows.every((r) => r.current.startsWith('Running'));

test('global services, placement constraints and a worker daemon restart under running tasks', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  await loadBusybox(dockerCli, [m1, w1, w2]);

  // Global: one task per node, and the mode shows in service ls.
  await dockerOk(m1, ['service', 'create', '--detach', '--stop-grace-period', '1s', '--name', 'everywhere', '--mode', 'global', 'busybox', 'sleep', '600']);
  const global = await settled(m1, 'everywhere', (r) => r.length === 3 && allRunning(r), 'one running task per node');
  assert.deepEqual(global.map((r) => r.node).sort(), [m1.name, w1.name, w2.name].sort());
  assert.match(await dockerOk(m1, ['service', 'ls', '--filter', 'name=everywhere']), /everywhere\s+global\s+3\/3\s+busybox:latest/);

  // Constraints: only the labelled node takes the tasks; an unsatisfiable one leaves the task pending with the reason.
  await dockerOk(m1, ['node', 'update', '--label-add', 'zone=b', w2.name]);
  await dockerOk(m1, ['service', 'create', '--detach', '--stop-grace-period', '1s', '--name', 'zoned', '--replicas', '2', '--constraint', 'node.labels.zone==b', 'busybox', 'sleep', '600']);
  const zoned = await settled(m1, 'zoned', (r) => r.length === 2 && allRunning(r), 'two tasks on the labelled node');
  assert.deepEqual([...new Set(zoned.map((r) => r.node))], [w2.name]);
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'nowhere', '--constraint', 'node.labels.zone==z', 'busybox', 'sleep', '600']);
  const pending = await waitFor('the unplaceable task to show why', async () => {
    const rows = await servicePs(m1, 'nowhere');
    return rows.length === 1 && rows[0]!.current.startsWith('Pending') && rows[0]!.error !== '' ? rows[0] : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200 });
  assert.match(pending.error, /no suitable node \(scheduling constraints not satisfied on 3 nodes\)/);

  // A worker's daemon restarts: its containers keep running and are found again; nothing is rescheduled.
  const before = (await dockerOk(w2, ['ps', '-q', '--no-trunc'])).trim().split('\n').sort();
  assert.equal(before.length, 3, 'w2 runs the global task and both zoned tasks');
  await restartDaemon(w2);
  const after = (await dockerOk(w2, ['ps', '-q', '--no-trunc'])).trim().split('\n').sort();
  assert.deepEqual(after, before, 'the same containers, still running');
  const stillZoned = await settled(m1, 'zoned', (r) => r.length === 2 && allRunning(r), 'zoned tasks running after the restart');
  assert.deepEqual(stillZoned.map((r) => r.name).sort(), zoned.map((r) => r.name).sort(), 'no task was replaced');

  // `sleep` as PID 1 ignores SIGTERM, so removal waits out the stop grace period (1 s here, 10 s by default, as Docker).
  for (const s of ['everywhere', 'zoned', 'nowhere']) await dockerOk(m1, ['service', 'rm', s]);
  await waitFor('every task container gone', async () => {
    for (const h of [m1, w1, w2]) if ((await dockerOk(h, ['ps', '-aq'])).trim() !== '') return undefined;
    return true;
  }, { timeoutMs: 20_000, intervalMs: 250 });
});
