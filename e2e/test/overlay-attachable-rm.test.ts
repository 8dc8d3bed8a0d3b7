// `docker network rm` of an attachable overlay with the real docker CLI on 3 managers and a worker:
// while a standalone container on the worker is attached (by `run --network` or `network connect`),
// every manager, leader and followers alike, refuses with swarmkit's FailedPrecondition and prune
// keeps the network, so the containers still resolve each other; once the last one is removed or
// disconnected, rm succeeds and the overlay leaves the worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { docker, dockerCli, dockerOk, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { callEngine } from '../src/faults/engine.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

async function refusedEverywhere(managers: readonly HostLayout[], networkId: string, containerId: string): Promise<void> {
  const message = `rpc error: code = FailedPrecondition desc = network ${networkId} is in use by task ${containerId}`;
  for (const m of managers) {
    const r = await docker(m, ['network', 'rm', 'appnet']);
    assert.equal(r.code, 1, `network rm through ${m.name} should fail: ${r.stdout}`);
    // docker network rm adds "exit status 1" after the daemon's error, as against dockerd.
    assert.equal(r.stderr.trim(), `Error response from daemon: ${message}\nexit status 1`, `through ${m.name}`);
    const raw = await callEngine(m.socket, 'DELETE', '/networks/appnet', undefined, 10_000);
    assert.deepEqual([raw.status, raw.body], [400, { message }], `DELETE /networks/appnet on ${m.name}`);
  }
}

const networkNames = async (host: HostLayout) => (await dockerOk(host, ['network', 'ls', '--format', '{{.Name}}'])).trim().split('\n');

test('network rm of an attachable overlay is refused on every manager while a container on a worker uses it', async (t) => {
  const cluster = await withCluster(t, { managers: 3, workers: 1, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, m2, m3, w1] = cluster.hosts;
  assert.ok(m1 && m2 && m3 && w1);
  const managers = [m1, m2, m3];
  await loadBusybox(dockerCli, [w1]);
  const networkId = (await dockerOk(m1, ['network', 'create', '-d', 'overlay', '--attachable', 'appnet'])).trim();

  const c1 = (await dockerOk(w1, ['run', '-d', '--name', 'c1', '--network', 'appnet', '--network-alias', 'db', 'busybox', 'sleep', '300'])).trim();
  const c2 = (await dockerOk(w1, ['run', '-d', '--name', 'c2', 'busybox', 'sleep', '300'])).trim();
  await dockerOk(w1, ['network', 'connect', 'appnet', 'c2']);

  // One manager is the leader and two forward to it: all three must refuse.
  await refusedEverywhere(managers, networkId, c1);
  assert.equal((await dockerOk(m2, ['network', 'prune', '-f'])).trim(), '', 'prune keeps the network in use');
  assert.ok((await networkNames(m3)).includes('appnet'));
  const ping = await docker(w1, ['exec', 'c2', 'ping', '-c', '1', '-W', '2', 'c1']);
  assert.equal(ping.code, 0, `c2 still resolves and reaches c1 after the refusals: ${ping.stdout}${ping.stderr}`);
  const alias = await docker(w1, ['exec', 'c2', 'ping', '-c', '1', '-W', '2', 'db']);
  assert.equal(alias.code, 0, `c1's --network-alias resolves on the overlay: ${alias.stdout}${alias.stderr}`);

  // The connected container alone still holds the network.
  await dockerOk(w1, ['rm', '-f', 'c1']);
  await refusedEverywhere(managers, networkId, c2);

  await dockerOk(w1, ['network', 'disconnect', 'appnet', 'c2']);
  assert.equal((await dockerOk(m3, ['network', 'rm', 'appnet'])).trim(), 'appnet');
  assert.ok(!(await networkNames(m1)).includes('appnet'));
  await waitFor('appnet gone from the worker', async () => (!(await networkNames(w1)).includes('appnet') ? true : undefined), { timeoutMs: 10_000, intervalMs: 200 });
  await dockerOk(w1, ['rm', '-f', 'c2']);
});
