// The e2e harness itself, with real shoald daemons: each host answers the docker CLI as itself, hosts
// reach each other, a crashed daemon comes back with its identity, and a failing test is torn down
// with its daemons' logs shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { daemonPid, docker, dockerOk, execOnHost, kill9, listNetns, restartDaemon, run, withCluster } from '../src/index.js';

test('each host serves the docker CLI as itself and reaches the others', async (t) => {
  const cluster = await withCluster(t, { managers: 2, workers: 1 });
  for (const host of cluster.hosts) {
    assert.equal((await dockerOk(host, ['info', '--format', '{{.Name}}'])).trim(), host.name);
  }
  const [m1, , w1] = cluster.hosts;
  assert.ok(m1 && w1);
  assert.equal((await execOnHost(m1, ['ping', '-c', '1', '-W', '2', w1.addr], { timeoutMs: 5_000 })).code, 0);
});

test('a daemon killed with SIGKILL restarts with its data root and identity', async (t) => {
  const cluster = await withCluster(t, { managers: 1 });
  const host = cluster.hosts[0]!;
  const id = (await dockerOk(host, ['info', '--format', '{{.ID}}'])).trim();
  assert.notEqual(id, '');
  await kill9(host);
  assert.equal(daemonPid(host), undefined);
  assert.notEqual((await docker(host, ['version'], { timeoutMs: 10_000 })).code, 0);
  await restartDaemon(host);
  assert.equal((await dockerOk(host, ['info', '--format', '{{.ID}}'])).trim(), id);
});

const FIXTURE = fileURLToPath(new URL('../src/index.js', import.meta.url));
// A daemon answers on its socket a moment before its "API listening" line is in its log: the test
// fails once both lines are there, so the dump has them to show.
const FAILING_TEST = `
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { waitFor, withCluster } from ${JSON.stringify(FIXTURE)};
test('fails on purpose', async (t) => {
  const cluster = await withCluster(t, { managers: 2 });
  console.log('CLUSTER=' + cluster.name);
  for (const host of cluster.hosts) {
    await waitFor('API listening in the log of ' + host.name, () => (readFileSync(host.logFile, 'utf8').includes('API listening') ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
  }
  throw new Error('deliberate failure');
});
`;

test('a failing test has its cluster torn down and its daemon logs printed', async () => {
  const child = await run([process.execPath, '--input-type=module', '-e', FAILING_TEST], { timeoutMs: 20_000 });
  const output = child.stdout + child.stderr;
  assert.equal(child.code, 1, output);
  const name = /CLUSTER=(\w+)/.exec(output)?.[1];
  assert.ok(name !== undefined, output);
  assert.match(output, /deliberate failure/);
  for (const host of [`${name}-manager-1`, `${name}-manager-2`]) {
    assert.match(output, new RegExp(`===== ${host} \\(198\\.51\\.100\\.\\d\\).*\\n(.*\\n)*.*API listening.*hostname=${host}`));
  }
  assert.deepEqual((await listNetns()).filter((ns) => ns.includes(name)), []);
  assert.equal(existsSync(`/run/shoal-cluster/${name}`), false);
});
