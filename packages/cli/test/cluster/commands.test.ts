// `shoal cluster up|ls|exec|down` as a user runs them, with real shoald daemons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { destroyCluster, listNetns, run } from '../../src/cluster/index.js';
import { uniqueName } from './helpers.js';

// The real entry point, as users run it (its parser settings decide how words after -- arrive).
const DRIVER = fileURLToPath(new URL('../../../../../bin/shoal', import.meta.url));
const shoal = (...args: string[]) => run([process.execPath, DRIVER, ...args], { timeoutMs: 20_000 });

test('cluster up, ls, exec and down', async (t) => {
  const name = uniqueName('c');
  t.after(() => destroyCluster(name));
  const up = await shoal('cluster', 'up', '--name', name, '--managers', '1', '--workers', '1');
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, new RegExp(`# ${name}-worker-1 \\(worker, 198\\.51\\.100\\.2\\)\\n  export DOCKER_HOST=unix:///run/shoal-cluster/${name}/w1/shoal.sock`));

  const again = await shoal('cluster', 'up', '--name', name);
  assert.equal(again.code, 0);
  assert.match(again.stdout, new RegExp(`^cluster ${name} is already up`));

  const ls = await shoal('cluster', 'ls');
  assert.match(ls.stdout, /^CLUSTER +HOST +ROLE +ADDRESS +DAEMON +SOCKET\n/);
  assert.match(ls.stdout, new RegExp(`${name} +${name}-manager-1 +manager +198\\.51\\.100\\.1 +running \\(pid \\d+\\)`));

  const exec = await shoal('cluster', 'exec', `${name}-worker-1`, '--', 'sh', '-c', 'docker info --format {{.Name}}; ip -o -4 addr show dev eth0; exit 7');
  assert.equal(exec.code, 7, exec.stderr);
  assert.match(exec.stdout, new RegExp(`^${name}-worker-1\\n.*inet 198\\.51\\.100\\.2/24`));

  const unknown = await shoal('cluster', 'exec', `${name}-worker-9`, '--', 'true');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, new RegExp(`no host named ${name}-worker-9 in any cluster`));

  const down = await shoal('cluster', 'down', '--name', name);
  assert.equal(down.stdout, `cluster ${name} removed\n`);
  assert.deepEqual((await listNetns()).filter((ns) => ns.includes(name)), []);
  assert.equal((await shoal('cluster', 'down', '--name', name)).stdout, `no cluster named ${name}\n`);
});

test('cluster up refuses a bad subnet and leaves nothing behind', async (t) => {
  const name = uniqueName('c');
  t.after(() => destroyCluster(name));
  const up = await shoal('cluster', 'up', '--name', name, '--subnet', '198.51.100.0/31');
  assert.equal(up.code, 1);
  assert.match(up.stderr, /invalid subnet "198\.51\.100\.0\/31"/);
  assert.deepEqual((await listNetns()).filter((ns) => ns.includes(name)), []);
});
