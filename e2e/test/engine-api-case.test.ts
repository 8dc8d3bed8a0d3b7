// Engine API clients other than the docker CLI (SDKs, Portainer, hand-written JSON) send field names in
// any case, and dockerd's Go decoder matches them case-insensitively. Against a real manager and worker:
// a service created with "replicated"/"global" runs its tasks, scales with a lowercase spec, and
// inspect answers with Docker's spelling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerCli, dockerOk, formSwarm, servicePs, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { callEngine, getJson } from '../src/faults/engine.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

interface ServiceInspect {
  readonly ID: string;
  readonly Version: { readonly Index: number };
  readonly Spec: Record<string, unknown> & { readonly Mode: Record<string, unknown>; readonly RollbackConfig?: Record<string, unknown> };
}

async function runningTasks(host: HostLayout, service: string, n: number): Promise<void> {
  await waitFor(
    `${n} running tasks of ${service}`,
    async () => {
      const rows = (await servicePs(host, service)).filter((r) => r.desired === 'Running');
      return rows.length === n && rows.every((r) => r.current.startsWith('Running')) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

test('service specs with lowercase field names are decoded as dockerd does: replicated and global services run and scale', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster);
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  await loadBusybox(dockerCli, [m1, w1]);
  const task = { containerspec: { image: 'busybox:latest', args: ['sleep', '300'] } };

  const created = await callEngine(m1.socket, 'POST', '/services/create', { name: 'rep', taskTemplate: task, Mode: { replicated: { Replicas: 2 } }, RollbackConfig: { order: 'start-first' } }, 10_000);
  assert.equal(created.status, 201, created.detail);
  await runningTasks(m1, 'rep', 2);
  const rep = await getJson<ServiceInspect>(m1.socket, '/services/rep');
  assert.deepEqual(rep.Spec.Mode, { Replicated: { Replicas: 2 } });
  assert.equal(rep.Spec.RollbackConfig?.['Order'], 'start-first');
  assert.equal(rep.Spec['Name'], 'rep');

  // A scale sent in lowercase is a scale, not a refused "mode change".
  const scaled = await callEngine(m1.socket, 'POST', `/services/${rep.ID}/update?version=${rep.Version.Index}`, { ...rep.Spec, Mode: { replicated: { replicas: 3 } } }, 10_000);
  assert.equal(scaled.status, 200, scaled.detail);
  await runningTasks(m1, 'rep', 3);

  const global = await callEngine(m1.socket, 'POST', '/services/create', { Name: 'glob', TaskTemplate: task, mode: { global: {} } }, 10_000);
  assert.equal(global.status, 201, global.detail);
  await runningTasks(m1, 'glob', 2);
  assert.match(await dockerOk(m1, ['service', 'ls', '--filter', 'name=glob', '--format', '{{.Mode}} {{.Replicas}}']), /^global 2\/2\n$/);
});
