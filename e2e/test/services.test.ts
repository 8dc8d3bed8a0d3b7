// Replicated services with the real docker CLI on a 1-manager + 2-worker swarm of shoald daemons
// running real containers (runc, the busybox test image): create with convergence, ls/ps, scale,
// rolling update and rollback, drain, kill -9 of a worker, rm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerOk, execOnHost, formSwarm, kill9, waitFor, withCluster, dockerCli, servicePs, type HostLayout, type TaskRow } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';


/** Waits until exactly `n` tasks should run and do, and returns them. */
async function running(host: HostLayout, service: string, n: number, extra: (rows: TaskRow[]) => boolean = () => true): Promise<TaskRow[]> {
  return waitFor(
    `${n} running tasks of ${service}`,
    async () => {
      const rows = (await servicePs(host, service)).filter((r) => r.desired === 'Running');
      return rows.length === n && rows.every((r) => r.current.startsWith('Running')) && extra(rows) ? rows : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
}

const nodesOf = (rows: TaskRow[]) => [...new Set(rows.map((r) => r.node))].sort();

test('service create/ls/ps/scale/update/rollback/drain/rm with the docker CLI; a killed worker\'s tasks move', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  await loadBusybox(dockerCli, [w1, w2]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);
  const started = Date.now();
  const phase = (name: string) => t.diagnostic(`${name} at ${Date.now() - started} ms`);

  // Without --detach: the CLI polls tasks with _up-to-date until all run, then waits the monitor period.
  const create = await dockerOk(m1, [
    'service', 'create', '--name', 'web', '--replicas', '3', '--no-resolve-image',
    '--restart-delay', '1s', '--update-monitor', '1s', '--update-parallelism', '2', '--stop-grace-period', '1s',
    'busybox:latest', 'sleep', '300',
  ]);
  assert.match(create, /verify: Service (web|\w+) converged/);
  assert.match(await dockerOk(m1, ['service', 'ls']), /web\s+replicated\s+3\/3\s+busybox:latest/);
  let rows = await running(m1, 'web', 3);
  assert.deepEqual(nodesOf(rows), [w1.name, w2.name].sort(), 'replicas spread over both workers');
  // The agent's session, its assignments stream and its status reports share one TLS connection.
  for (const w of [w1, w2]) {
    const connections = (await execOnHost(w, ['ss', '-Htn', 'state', 'established', '( dport = :2377 )'])).stdout.trim().split('\n').filter(Boolean);
    assert.equal(connections.length, 1, `${w.name}'s connections to the manager: ${connections.join(' | ')}`);
  }
  const names = await dockerOk(w1, ['ps', '--format', '{{.Names}} {{.Label "com.docker.swarm.service.name"}}']);
  assert.match(names, /^web\.\d\.[0-9a-z]{25} web$/m);

  phase("await dockerOk(m1, ['service', 'scale', ");
  await dockerOk(m1, ['service', 'scale', 'web=5']);
  await running(m1, 'web', 5);
  await dockerOk(m1, ['service', 'scale', '--detach', 'web=2']);
  rows = await running(m1, 'web', 2);
  assert.deepEqual(rows.map((r) => r.name).sort(), ['web.1', 'web.2']);

  phase('// A rolling update, then back');
  // A rolling update, then back to the previous spec.
  await dockerOk(m1, ['service', 'update', '--env-add', 'COLOR=blue', 'web']);
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{.UpdateStatus.State}} {{.Spec.TaskTemplate.ContainerSpec.Env}}', 'web'])).trim(), 'completed [COLOR=blue]');
  rows = await running(m1, 'web', 2);
  const envs = await waitFor('containers with the new env', async () => {
    const out = (await Promise.all([w1, w2].map((w) => dockerOk(w, ['ps', '-q'])))).join('').trim();
    return out.split('\n').length === 2 ? out : undefined;
  });
  assert.ok(envs);
  phase("await dockerOk(m1, ['service', 'rollback");
  await dockerOk(m1, ['service', 'rollback', 'web']);
  await waitFor('rollback completed', async () =>
    (await dockerOk(m1, ['service', 'inspect', '--format', '{{.UpdateStatus.State}}', 'web'])).trim() === 'rollback_completed' ? true : undefined,
  { timeoutMs: 20_000 });
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Env}}', 'web'])).trim(), '[]');

  phase('// Drain moves the tasks away');
  // Drain moves the tasks away; kill -9 of the worker that has them moves them back.
  await dockerOk(m1, ['service', 'scale', '--detach', 'web=3']);
  await running(m1, 'web', 3);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', w1.name]);
  rows = await running(m1, 'web', 3, (r) => nodesOf(r).join() === w2.name);
  assert.equal((await dockerOk(w1, ['ps', '-q'])).trim(), '', 'the drained worker stopped its task containers');
  await dockerOk(m1, ['node', 'update', '--availability', 'active', w1.name]);
  phase('await kill9(w2);');
  await kill9(w2);
  rows = await running(m1, 'web', 3, (r) => nodesOf(r).join() === w1.name);
  assert.ok((await servicePs(m1, 'web')).some((r) => r.node === w2.name && r.desired === 'Shutdown'));

  phase("await dockerOk(m1, ['service', 'rm', 'we");
  await dockerOk(m1, ['service', 'rm', 'web']);
  const gone = await docker(m1, ['service', 'inspect', 'web']);
  assert.match(gone.stderr, /no such service: web/);
  await waitFor('task containers removed on w1', async () => ((await dockerOk(w1, ['ps', '-aq'])).trim() === '' ? true : undefined), { timeoutMs: 15_000 });
});

test('a task whose image is missing on its node and cannot be pulled is rejected with the reason and placed where the image is', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 2 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  await loadBusybox(dockerCli, [w2]);
  await dockerOk(m1, ['node', 'update', '--availability', 'drain', m1.name]);
  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'pinned', '--replicas', '2', '--restart-delay', '0s', '--no-resolve-image', 'busybox:latest', 'sleep', '300']);
  await running(m1, 'pinned', 2, (r) => nodesOf(r).join() === w2.name);
  const all = await servicePs(m1, 'pinned');
  const rejected = all.filter((r) => r.node === w1.name);
  assert.ok(rejected.length > 0, 'some task was first placed on w1');
  // w1 tried to pull busybox from Docker Hub, which test hosts cannot resolve: that is the reason shown.
  const reason = 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: temporary failure in name resolution';
  assert.ok(rejected.every((r) => r.current.startsWith('Rejected') && r.error === `"${reason}"`), JSON.stringify(rejected));
});

test('dnsrr refuses an ingress-published port on create and update with Docker\'s message; a host-mode port runs', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 0 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1] = cluster.hosts;
  assert.ok(m1);
  await loadBusybox(dockerCli, [m1]);
  const refusal = "Error response from daemon: rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode";
  const create = await docker(m1, ['service', 'create', '--detach', '--name', 'rr', '--endpoint-mode', 'dnsrr', '--publish', '18080:80', '--no-resolve-image', 'busybox:latest', 'sleep', '300']);
  assert.equal(create.code, 1);
  assert.equal(create.stderr.trim(), refusal);
  assert.match((await docker(m1, ['service', 'inspect', 'rr'])).stderr, /no such service: rr/);

  await dockerOk(m1, ['service', 'create', '--detach', '--name', 'rr', '--endpoint-mode', 'dnsrr', '--publish', 'mode=host,published=18080,target=80', '--no-resolve-image', 'busybox:latest', 'sleep', '300']);
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{.Endpoint.Spec.Mode}} {{range .Endpoint.Ports}}{{.PublishMode}}:{{.PublishedPort}}->{{.TargetPort}}{{end}}', 'rr'])).trim(), 'dnsrr host:18080->80');
  await running(m1, 'rr', 1);
  const update = await docker(m1, ['service', 'update', '--detach', '--publish-add', '18081:81', 'rr']);
  assert.equal(update.code, 1);
  assert.equal(update.stderr.trim(), refusal);
  assert.equal((await dockerOk(m1, ['service', 'inspect', '--format', '{{len .Spec.EndpointSpec.Ports}}', 'rr'])).trim(), '1', 'the refused update changed nothing');
});
