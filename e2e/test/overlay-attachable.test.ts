// The seed's third walkthrough with the real docker CLI: standalone containers on two hosts joined
// by an attachable overlay find each other by container name and ping across hosts; the network
// appears on the second host with its first container and leaves with it; an overlay that is not
// attachable refuses `docker run --network` with Docker's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerOk, formSwarm, waitFor, withCluster, type HostLayout } from '../src/index.js';
import { writeBusyboxSaveTar } from '../src/test-image.js';

async function networkIds(host: HostLayout): Promise<Map<string, string>> {
  const out = await dockerOk(host, ['network', 'ls', '--format', '{{.Name}} {{.ID}}']);
  return new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
}

test('standalone containers on an attachable overlay ping each other by name across hosts; a non-attachable overlay refuses them', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1, socketTimeoutMs: 30_000 });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [host1, host2] = cluster.hosts;
  assert.ok(host1 && host2);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-attachable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeBusyboxSaveTar(join(dir, 'busybox.tar'), 'busybox:latest');
  for (const h of [host1, host2]) await dockerOk(h, ['load', '-i', join(dir, 'busybox.tar')]);

  const id = (await dockerOk(host1, ['network', 'create', '--driver=overlay', '--attachable', 'test-net'])).trim();
  await dockerOk(host1, ['run', '-d', '--name', 'alpine1', '--network', 'test-net', 'busybox', 'sh', '-c', 'while true; do ping -c 1 -W 1 alpine2; sleep 0.5; done']);
  // Step 4 on host2: ingress and docker_gwbridge are there, test-net is not yet.
  const before = await networkIds(host2);
  assert.ok(before.has('ingress') && before.has('docker_gwbridge'), `host2 lists ingress and docker_gwbridge: ${[...before.keys()].join(', ')}`);
  assert.ok(!before.has('test-net'), "test-net doesn't exist on host2 yet");

  await dockerOk(host2, ['run', '-d', '--name', 'alpine2', '--network', 'test-net', 'busybox', 'sleep', '300']);
  assert.equal((await networkIds(host2)).get('test-net'), id.slice(0, 12), 'test-net on host2 has the same ID');
  const alpine2Ip = (await dockerOk(host2, ['network', 'inspect', '--format', '{{range .Containers}}{{.IPv4Address}}{{end}}', 'test-net'])).trim().split('/')[0]!;
  assert.match(alpine2Ip, /^10\.0\.\d+\.\d+$/);
  await waitFor('alpine1 pings alpine2 by name across hosts', async () => {
    const log = await dockerOk(host1, ['logs', 'alpine1']);
    return log.includes(`PING alpine2 (${alpine2Ip})`) && log.includes(`bytes from ${alpine2Ip}:`) ? true : undefined;
  }, { timeoutMs: 10_000, intervalMs: 300 });

  // Another container on host2 pings alpine1, the other way across.
  const alpine3 = await dockerOk(host2, ['run', '--rm', '--name', 'alpine3', '--network', 'test-net', 'busybox', 'ping', '-c', '2', 'alpine1'], { timeoutMs: 20_000 });
  assert.match(alpine3, /2 packets transmitted, 2 packets received/);

  const refused = await docker(host1, ['network', 'create', '-d', 'overlay', 'plain']).then(() => docker(host1, ['run', '--rm', '--network', 'plain', 'busybox', 'true']));
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Could not attach to network plain: rpc error: code = PermissionDenied desc = network plain not manually attachable/);

  // Stopping alpine2 takes test-net off host2.
  await dockerOk(host2, ['container', 'stop', '-t', '1', 'alpine2']);
  await waitFor('test-net gone from host2', async () => (!(await networkIds(host2)).has('test-net') ? true : undefined), { timeoutMs: 10_000, intervalMs: 200 });
  await dockerOk(host2, ['container', 'rm', 'alpine2']);
  await dockerOk(host1, ['container', 'rm', '-f', 'alpine1']);
  await waitFor('test-net free to remove', async () => ((await docker(host1, ['network', 'rm', 'test-net', 'plain'])).code === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 300 });
});
