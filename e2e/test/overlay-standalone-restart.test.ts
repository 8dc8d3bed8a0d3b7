// A standalone container on an attachable overlay keeps its network across a restart of its host's
// shoald (containers keep running across it): after the restart it still answers pings by name from
// another host, resolves names itself, its published port still answers, and `network inspect` still
// lists it; so does one that joined the network by `network connect`. Once they are removed the network
// leaves the host with its namespaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dockerCli, dockerOk, execOnHost, formSwarm, restartDaemon, waitFor, waitForNodes, withCluster, type HostLayout } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

async function pings(host: HostLayout, container: string, target: string): Promise<boolean> {
  return (await dockerCli(host, ['exec', container, 'ping', '-c', '1', '-W', '1', target], { timeoutMs: 15_000 })).code === 0;
}

function mountedNamespaces(host: HostLayout): string[] {
  const dir = `${host.dataRoot}/netns/`;
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dir));
}

test('a container on an attachable overlay keeps its network, name and published port across a restart of shoald', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  await loadBusybox(dockerCli, [m1, w1]);
  await dockerOk(m1, ['network', 'create', '--driver', 'overlay', '--attachable', 'att']);
  await dockerOk(w1, [
    'run', '-d', '--name', 'web', '--network', 'att', '-p', '8081:80', 'busybox',
    'sh', '-c', 'mkdir -p /www && echo kept > /www/index.html && exec httpd -f -p 80 -h /www',
  ]);
  await dockerOk(w1, ['run', '-d', '--name', 'joined', 'busybox', 'sleep', '600']);
  await dockerOk(w1, ['network', 'connect', 'att', 'joined']);
  await dockerOk(m1, ['run', '-d', '--name', 'probe', '--network', 'att', 'busybox', 'sleep', '600']);
  for (const name of ['web', 'joined']) {
    await waitFor(`probe pings ${name} by name`, async () => ((await pings(m1, 'probe', name)) ? true : undefined), { timeoutMs: 15_000, intervalMs: 300 });
  }

  await restartDaemon(w1, { socketTimeoutMs: 30_000 });
  await waitForNodes(m1, 2, (rows) => rows.every((r) => r.status === 'Ready'), 'both nodes Ready after the restart');
  assert.match(await dockerOk(w1, ['ps', '--filter', 'name=web', '--format', '{{.Status}}']), /^Up/, 'the container ran on through the restart');

  for (const name of ['web', 'joined']) {
    await waitFor(`probe pings ${name} by name after the restart`, async () => ((await pings(m1, 'probe', name)) ? true : undefined), { timeoutMs: 20_000, intervalMs: 300 });
    await waitFor(`${name} resolves and pings probe after the restart`, async () => ((await pings(w1, name, 'probe')) ? true : undefined), { timeoutMs: 20_000, intervalMs: 300 });
  }
  const page = await execOnHost(w1, ['wget', '-qO-', `http://${w1.addr}:8081/`], { timeoutMs: 10_000 });
  assert.equal(page.stdout.trim(), 'kept', `the published port answers after the restart: ${page.stderr}`);
  const listed = JSON.parse(await dockerOk(w1, ['network', 'inspect', 'att', '--format', '{{json .Containers}}'])) as Record<string, { Name: string }>;
  assert.deepEqual(Object.values(listed).map((c) => c.Name).sort(), ['joined', 'web']);

  await dockerOk(w1, ['rm', '-f', 'web', 'joined']);
  await waitFor('att and its namespaces gone from the worker', async () =>
    !(await dockerOk(w1, ['network', 'ls', '--format', '{{.Name}}'])).split('\n').includes('att') && mountedNamespaces(w1).length === 0 ? true : undefined,
  { timeoutMs: 15_000, intervalMs: 200 });
});
