// Services of images no node has: `docker service create` pins the digest through GET /distribution,
// every node that gets a task pulls the image from a real registry before starting it, and a pull
// that fails shows the registry's reason in `docker service ps`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerCli, dockerOk, formSwarm, servicePs, waitFor, withCluster, writeBusyboxSaveTar, type TaskRow } from '../src/index.js';
import { INSECURE_TEST_REGISTRIES, skopeoPush, startRegistry } from '../src/registry.js';
import { writeLayeredArchive } from '../src/registry-images.js';

test('a global service of an image no node has converges on all three nodes by pulling, and again after an update to a new image; a missing tag is rejected with the registry\'s reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-registry-svc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cluster = await withCluster(t, { managers: 1, workers: 2, daemonCommand: INSECURE_TEST_REGISTRIES });
  await formSwarm(cluster, { heartbeat: '1s' });
  const [m1, w1, w2] = cluster.hosts;
  assert.ok(m1 && w1 && w2);
  const registry = await startRegistry(t, m1);
  const image = `${registry.address}/team/web:1.4`;
  writeLayeredArchive(dir, join(dir, 'web.tar'), 'web:1.4');
  await skopeoPush(m1, `docker-archive:${join(dir, 'web.tar')}`, image);

  const created = await dockerCli(m1, ['service', 'create', '--detach', '--stop-grace-period', '1s', '--name', 'web', '--mode', 'global', image, 'sleep', '600']);
  assert.equal(created.code, 0, created.stderr);
  assert.doesNotMatch(created.stderr, /could not be accessed on a registry/);
  const pinned = (await dockerOk(m1, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', 'web'])).trim();
  const digest = /^.+:1\.4@(sha256:[0-9a-f]{64})$/.exec(pinned)?.[1];
  assert.ok(digest, `the spec pins the digest: ${pinned}`);
  assert.equal(
    (await dockerOk(m1, ['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.Placement.Platforms}}', 'web'])).trim(),
    '[{"Architecture":"amd64","OS":"linux"}]',
  );
  const rows = await waitFor('a running task on every node', async () => {
    const r = (await servicePs(m1, 'web')).filter((row) => row.desired === 'Running');
    return r.length === 3 && r.every((row) => row.current.startsWith('Running')) ? r : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  assert.deepEqual(rows.map((r) => r.node).sort(), [m1.name, w1.name, w2.name].sort());
  for (const host of [m1, w1, w2]) {
    assert.equal((await dockerOk(host, ['image', 'inspect', '--format', '{{json .RepoDigests}}', pinned])).trim(), JSON.stringify([`${registry.address}/team/web@${digest}`]), host.name);
  }

  // An update to another image new to every node: pinned again, pulled again by each node.
  const next = `${registry.address}/team/web:1.5`;
  writeBusyboxSaveTar(join(dir, 'next.tar'), 'next:1');
  await skopeoPush(m1, `docker-archive:${join(dir, 'next.tar')}`, next);
  const updated = await dockerCli(m1, ['service', 'update', '--detach', '--image', next, 'web']);
  assert.equal(updated.code, 0, updated.stderr);
  assert.match((await dockerOk(m1, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', 'web'])).trim(), /:1\.5@sha256:[0-9a-f]{64}$/);
  for (const host of [m1, w1, w2]) {
    await waitFor(`${host.name} running the new image`, async () => {
      const images = (await dockerOk(host, ['ps', '--format', '{{.Image}}'])).trim();
      return /team\/web:1\.5$/m.test(images) ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
  }

  const missing = await dockerCli(m1, ['service', 'create', '--detach', '--name', 'nope', `${registry.address}/team/web:nope`, 'sleep', '600']);
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(missing.stderr, /could not be accessed on a registry to record\s+its digest/);
  const rejected = await waitFor('the task rejected with the registry\'s reason', async () => {
    const r = await servicePs(m1, 'nope');
    return r.find((row: TaskRow) => row.current.startsWith('Rejected') && row.error !== '');
  }, { timeoutMs: 30_000, intervalMs: 250 });
  // `service ps --no-trunc` prints the error between quotes.
  assert.equal(rejected.error, `"manifest for ${registry.address}/team/web:nope not found: manifest unknown: manifest unknown"`);

  for (const s of ['web', 'nope']) await dockerOk(m1, ['service', 'rm', s]);
});
