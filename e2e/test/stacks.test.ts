// Swarm stacks with the docker CLI's built-in `docker stack` (compose file v3) on a shoald swarm:
// deploy creates the stack's network and services, ps/services list them by the stack's label, and rm
// removes services and networks (it also lists the stack's secrets and configs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerCli, dockerOk, formSwarm, waitFor, withCluster } from '../src/index.js';
import { loadBusybox } from '../src/seed-walkthroughs.js';

const STACK_FILE = `version: "3.8"
services:
  web:
    image: busybox:latest
    command: ["sleep", "300"]
    networks: [front]
    deploy:
      replicas: 2
networks:
  front:
    driver: overlay
`;

test('stack deploy/ps/services/rm: the stack\'s tasks are listed by its label, and rm removes its services and network', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-stack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'stack.yml'), STACK_FILE);
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster);
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  await loadBusybox(dockerCli, [m1, w1]);

  const deployed = await dockerOk(m1, ['stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'stack.yml'), 'st']);
  assert.match(deployed, /Creating network st_front/);
  assert.match(deployed, /Creating service st_web/);
  assert.match(await dockerOk(m1, ['stack', 'ls']), /^st\s+1$/m);

  const ps = await waitFor('both tasks of st_web running in stack ps', async () => {
    const rows = (await dockerOk(m1, ['stack', 'ps', '--format', '{{.Name}} {{.CurrentState}}', 'st'])).trim().split('\n');
    return rows.length === 2 && rows.every((r) => / Running /.test(r)) ? rows : undefined;
  }, { timeoutMs: 30_000, intervalMs: 300 });
  assert.deepEqual(ps.map((r) => r.split(' ')[0]).sort(), ['st_web.1', 'st_web.2']);
  assert.match(await dockerOk(m1, ['stack', 'services', 'st']), /st_web\s+replicated\s+2\/2\s+busybox:latest/);
  assert.equal((await dockerOk(m1, ['network', 'ls', '--filter', 'label=com.docker.stack.namespace=st', '--format', '{{.Name}}'])).trim(), 'st_front');
  assert.match((await dockerCli(m1, ['stack', 'ps', 'nosuch'])).stderr, /nothing found in stack: nosuch/, 'another stack has no tasks');

  const removed = await dockerOk(m1, ['stack', 'rm', 'st']);
  assert.match(removed, /Removing service st_web/);
  assert.match(removed, /Removing network st_front/);
  await waitFor('the stack\'s services and network gone', async () => {
    const services = (await dockerOk(m1, ['service', 'ls', '-q'])).trim();
    const networks = (await dockerOk(m1, ['network', 'ls', '--filter', 'name=st_front', '-q'])).trim();
    return services === '' && networks === '' ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 300 });
  const nothing = await dockerCli(m1, ['stack', 'rm', 'nosuch']);
  assert.equal(nothing.code, 0);
  assert.equal((nothing.stdout + nothing.stderr).trim(), 'Nothing found in stack: nosuch');
});

test('secrets and configs: ls answers an empty list on a manager, create is refused as not supported yet', async (t) => {
  const cluster = await withCluster(t, { managers: 1, workers: 1 });
  await formSwarm(cluster);
  const [m1, w1] = cluster.hosts;
  assert.ok(m1 && w1);
  assert.equal((await dockerOk(m1, ['secret', 'ls', '-q', '--filter', 'label=com.docker.stack.namespace=st'])).trim(), '');
  assert.equal((await dockerOk(m1, ['config', 'ls', '-q'])).trim(), '');
  const created = await docker(m1, ['secret', 'create', 's1', '-'], { input: 'x' });
  assert.equal(created.code, 1);
  assert.match(created.stderr, /Error response from daemon: secrets are not supported by shoal yet/);
  const bad = await dockerCli(m1, ['config', 'ls', '--filter', 'nosuch=1']);
  assert.match(bad.stderr, /invalid filter 'nosuch'/);
  const onWorker = await dockerCli(w1, ['secret', 'ls']);
  assert.match(onWorker.stderr, /This node is not a swarm manager/);
});
